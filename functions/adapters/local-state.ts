import { join } from 'node:path';
import { encodeKeySegment } from '../core/archive-layout.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { Cursor, ReleaseLock, ScanState, SilenceStore } from '../scan/ports.ts';
import { readJsonFile, replaceFile } from './local-files.ts';
import { lockStateFolder } from './local-lock.ts';

/** Cursors and incident records as JSON files in a local folder, one of each per connector. */
export class LocalState implements ScanState, SilenceStore {
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

  async loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined> {
    return (await readJsonFile(this.#path('incidents', origin))) as
      | ConnectorIncidentState
      | undefined;
  }

  async saveIncidents(state: ConnectorIncidentState): Promise<void> {
    await replaceFile(this.#path('incidents', state), `${JSON.stringify(state)}\n`);
  }

  async loadSilences(): Promise<unknown> {
    return readJsonFile(this.#silencesPath());
  }

  async updateSilences(change: (stored: unknown) => unknown[]): Promise<void> {
    const next = change(await this.loadSilences());
    await replaceFile(this.#silencesPath(), `${JSON.stringify(next, null, 2)}\n`);
  }

  #silencesPath(): string {
    return join(this.location, 'silences.json');
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
