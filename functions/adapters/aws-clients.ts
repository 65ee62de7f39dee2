import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

let s3: S3Client | undefined;
let sns: SNSClient | undefined;

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

/** The SNS client, created once per process. */
export function snsClient(): SNSClient {
  sns ??= new SNSClient({});
  return sns;
}
