import type { S3Client } from '@aws-sdk/client-s3';
import { quarantineKey, reasonKey, reportKey } from '../core/archive-layout.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { PutOutcome, ReportArchive } from '../scan/ports.ts';
import type { S3Location } from './s3-location.ts';
import { S3Objects } from './s3-objects.ts';

/** The report archive in an S3 bucket, Hive-style so Athena reads it as a partitioned table. */
export class S3Archive implements ReportArchive {
  readonly location: string;
  readonly #objects: S3Objects;
  readonly #prefix: string;

  constructor(client: S3Client, { bucket, prefix }: S3Location) {
    this.#objects = new S3Objects(client, bucket);
    this.#prefix = prefix;
    this.location = `s3://${bucket}/${prefix}`;
  }

  async putReport(
    origin: ReportOrigin,
    sessionDate: string,
    sessionId: string,
    body: string,
  ): Promise<PutOutcome> {
    const created = await this.#objects.createOnce(
      this.#prefix + reportKey(origin, sessionDate, sessionId),
      body,
    );
    return created ? 'created' : 'exists';
  }

  async putQuarantined(origin: ReportOrigin, body: string, reason: string): Promise<PutOutcome> {
    const key = this.#prefix + quarantineKey(origin, body);
    // The reason goes first: a report in quarantine never stands there without its why.
    await this.#objects.createOnce(
      reasonKey(key),
      `${JSON.stringify({ ...origin, reason }, null, 2)}\n`,
    );
    return (await this.#objects.createOnce(key, body)) ? 'created' : 'exists';
  }
}
