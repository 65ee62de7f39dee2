import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

let s3: S3Client | undefined;
const snsByRegion = new Map<string, SNSClient>();

/**
 * The S3 client, created once per process (a Lambda container reuses it across invocations).
 * With AWS_ENDPOINT_URL_S3 set (s3rver, MinIO) it uses path-style addressing and sends
 * checksums only when required, which such stores need to keep bodies intact.
 */
export function s3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  s3 ??= new S3Client(
    env.AWS_ENDPOINT_URL_S3
      ? {
          endpoint: env.AWS_ENDPOINT_URL_S3,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {},
  );
  return s3;
}

/**
 * The SNS client for a region, created once per process and region. A topic ARN names its
 * region, so a publisher needs no AWS_REGION of its own; without a region the SDK's default
 * chain decides (AWS_REGION in a Lambda).
 */
export function snsClient(region?: string): SNSClient {
  const key = region ?? '';
  let client = snsByRegion.get(key);
  if (!client) {
    client = new SNSClient(region ? { region } : {});
    snsByRegion.set(key, client);
  }
  return client;
}

/** The region an ARN names (`arn:aws:sns:eu-west-1:123456789012:topic` → `eu-west-1`). */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}
