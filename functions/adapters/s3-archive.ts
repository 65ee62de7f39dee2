import type { S3Client } from '@aws-sdk/client-s3';
import { bytesOf } from '../scan/document-text.ts';
import { UnstorableReportError } from '../scan/ports.ts';
import { KeyedArchive } from './keyed-archive.ts';
import type { S3Location } from './s3-location.ts';
import { S3Objects } from './s3-objects.ts';

/** S3's limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** The report archive in an S3 bucket, Hive-style so Athena reads it as a partitioned table. */
export class S3Archive extends KeyedArchive {
  /** `depot` names the depot whose partition this archive writes, in a config of several. */
  constructor(client: S3Client, { bucket, prefix }: S3Location, depot?: string) {
    const objects = new S3Objects(client, bucket);
    super(
      `s3://${bucket}/${prefix}`,
      async (key, body) => {
        const fullKey = prefix + key;
        // Refused before sending: S3 would answer KeyTooLongError for this key on every run.
        if (Buffer.byteLength(fullKey) > MAX_KEY_BYTES)
          throw new UnstorableReportError(`its S3 key is longer than ${MAX_KEY_BYTES} bytes`);
        try {
          return await objects.createOnce(fullKey, typeof body === 'string' ? body : bytesOf(body));
        } catch (error) {
          if ((error as { name?: string }).name === 'KeyTooLongError')
            throw new UnstorableReportError(`S3 refused its key as too long`);
          throw error;
        }
      },
      async (key) => (await objects.readText(prefix + key)).value,
      depot,
    );
  }
}
