import { S3Client } from '@aws-sdk/client-s3';

/**
 * An S3 client for a local s3rver at `endpoint`: path-style addressing and its fixed
 * credentials, and checksums only where S3 requires them, as s3rver checks none of the newer ones.
 */
export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
