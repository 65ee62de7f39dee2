import { join } from 'node:path';
import { AlertLedger } from '../core/alert-ledger.ts';
import { encodeKeySegment } from '../core/archive-layout.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { Cursor, ReleaseLock, ScanState } from '../scan/ports.ts';
import { readJsonFile, replaceFile } from './local-files.ts';
import { lockStateFolder } from './local-lock.ts';

/** Cursors and alert ledgers as JSON files in a local folder, one of each per connector. */
export class LocalState implements ScanState {
  constructor(readonly location: string) {}

  async lockForRun(runId: string): Promise<ReleaseLock> {
    return lockStateFolder(this.location, runId);
  }

  async loadCursor(origin: ReportOrigin): Promise<Cursor | undefined> {
    return (await readJsonFile(this.#path('cursors', origin))) as Cursor | undefined;
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    await replaceFile(this.#path('cursors', cursor), `${JSON.stringify(cursor, null, 2)}\n`);
  }

  async loadLedger(origin: ReportOrigin): Promise<AlertLedger> {
    const entries = (await readJsonFile(this.#path('ledger', origin))) as
      | Record<string, string>
      | undefined;
    return new AlertLedger(entries);
  }

  async saveLedger(origin: ReportOrigin, ledger: AlertLedger): Promise<void> {
    await replaceFile(this.#path('ledger', origin), `${JSON.stringify(ledger, null, 2)}\n`);
  }

  #path(kind: string, { chargerId, connectorId }: ReportOrigin): string {
    return join(
      this.location,
      kind,
      `charger=${encodeKeySegment(chargerId)}`,
      `connector=${encodeKeySegment(connectorId)}.json`,
    );
  }
}
