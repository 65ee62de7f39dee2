import type { S3Client } from '@aws-sdk/client-s3';
import { KeyedArchive } from './keyed-archive.ts';
import type { S3Location } from './s3-location.ts';
import { S3Objects } from './s3-objects.ts';

/** The report archive in an S3 bucket, Hive-style so Athena reads it as a partitioned table. */
export class S3Archive extends KeyedArchive {
  constructor(client: S3Client, { bucket, prefix }: S3Location) {
    const objects = new S3Objects(client, bucket);
    super(`s3://${bucket}/${prefix}`, (key, body) => objects.createOnce(prefix + key, body));
  }
}
