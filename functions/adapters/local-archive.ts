import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnstorableReportError } from '../scan/ports.ts';
import { KeyedArchive } from './keyed-archive.ts';
import { createFileOnce } from './local-files.ts';

/** The archive in a local folder, in the same layout as the S3 bucket. */
export class LocalArchive extends KeyedArchive {
  /** `depot` names the depot whose partition this archive writes, in a config of several. */
  constructor(location: string, depot?: string) {
    super(
      location,
      async (key, body) => {
        try {
          return await createFileOnce(join(location, key), body);
        } catch (error) {
          // The name, not the disk, is at fault: only this report is refused.
          if ((error as NodeJS.ErrnoException).code === 'ENAMETOOLONG')
            throw new UnstorableReportError(`its file name is too long for this file system`);
          throw error;
        }
      },
      async (key) => {
        try {
          return readFileSync(join(location, key), 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
      depot,
    );
  }
}
