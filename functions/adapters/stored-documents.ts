import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../core/concurrency.ts';
import { s3Client } from './aws-clients.ts';
import { S3Listing } from './s3-listing.ts';
import { parseS3Uri } from './s3-location.ts';

/** Objects read at once from S3: enough to hide round trips, few enough to stay polite. */
const S3_READS_AT_ONCE = 8;

/**
 * The texts of the documents whose names end in `ending` under a folder's or `s3://` location's
 * sub-prefix (`incidents/`, say), at any depth. A folder that is not there has none.
 */
export async function documentsUnder(
  location: string,
  sub: string,
  ending: string,
  baseDir: string,
  s3: S3Client = s3Client(),
): Promise<string[]> {
  if (location.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Uri(location, 'location');
    const objects = new S3Listing(s3, bucket);
    const keys: string[] = [];
    for await (const key of objects.keys(prefix + sub)) if (key.endsWith(ending)) keys.push(key);
    return mapWithConcurrency(keys, S3_READS_AT_ONCE, (key) => objects.readText(key));
  }
  const folder = join(resolve(baseDir, location), sub);
  // A folder not there yet holds nothing (no fault was ever recorded); one that cannot be read
  // is an error, never an empty list that would read as "no incidents".
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(ending))
      .map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
  );
}
