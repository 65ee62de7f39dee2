import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * Where a client gets its AWS credentials. Left out, the SDK's default chain decides (the
 * environment, SSO, profiles, instance roles), which the CLI and local runs need; a Lambda
 * entry passes `fromEnv()`, since Lambda puts its role's credentials in the environment.
 */
export type CredentialsSource = S3ClientConfig['credentials'];

let s3: S3Client | undefined;
const snsByRegion = new Map<string, SNSClient>();

/**
 * An S3 client. With AWS_ENDPOINT_URL_S3 set (s3rver, MinIO) it uses path-style addressing and
 * sends checksums only when required, which such stores need to keep bodies intact.
 */
export function createS3Client(
  env: NodeJS.ProcessEnv = process.env,
  credentials?: CredentialsSource,
): S3Client {
  return new S3Client({
    ...(credentials ? { credentials } : {}),
    ...(env.AWS_ENDPOINT_URL_S3
      ? {
          endpoint: env.AWS_ENDPOINT_URL_S3,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
  });
}

/**
 * An SNS client. A topic ARN names its region, so a publisher needs no AWS_REGION of its own;
 * without a region the SDK's default chain decides (AWS_REGION in a Lambda).
 */
export function createSnsClient(region?: string, credentials?: CredentialsSource): SNSClient {
  return new SNSClient({ ...(region ? { region } : {}), ...(credentials ? { credentials } : {}) });
}

/**
 * The S3 client on the default credentials chain, created once per process. A Lambda entry
 * builds its own with `createS3Client` and environment credentials.
 */
export function s3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  s3 ??= createS3Client(env);
  return s3;
}

/** The SNS client for a region on the default credentials chain, once per process and region. */
export function snsClient(region?: string): SNSClient {
  const key = region ?? '';
  let client = snsByRegion.get(key);
  if (!client) {
    client = createSnsClient(region);
    snsByRegion.set(key, client);
  }
  return client;
}

/** The region an ARN names (`arn:aws:sns:eu-west-1:123456789012:topic` → `eu-west-1`). */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}
