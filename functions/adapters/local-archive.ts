import { join } from 'node:path';
import { quarantineKey, reasonKey, reportKey } from '../core/archive-layout.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { PutOutcome, ReportArchive } from '../scan/ports.ts';
import { createFileOnce } from './local-files.ts';

/** The archive in a local folder, in the same layout as the S3 bucket. */
export class LocalArchive implements ReportArchive {
  constructor(readonly location: string) {}

  async putReport(
    origin: ReportOrigin,
    sessionDate: string,
    sessionId: string,
    body: string,
  ): Promise<PutOutcome> {
    const created = await createFileOnce(
      join(this.location, reportKey(origin, sessionDate, sessionId)),
      body,
    );
    return created ? 'created' : 'exists';
  }

  async putQuarantined(origin: ReportOrigin, body: string, reason: string): Promise<PutOutcome> {
    const key = quarantineKey(origin, body);
    // The reason goes first: a report in quarantine never stands there without its why.
    await createFileOnce(
      join(this.location, reasonKey(key)),
      `${JSON.stringify({ ...origin, reason }, null, 2)}\n`,
    );
    const created = await createFileOnce(join(this.location, key), body);
    return created ? 'created' : 'exists';
  }
}
