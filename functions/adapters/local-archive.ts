import { join } from 'node:path';
import { KeyedArchive } from './keyed-archive.ts';
import { createFileOnce } from './local-files.ts';

/** The archive in a local folder, in the same layout as the S3 bucket. */
export class LocalArchive extends KeyedArchive {
  constructor(location: string) {
    super(location, (key, body) => createFileOnce(join(location, key), body));
  }
}
