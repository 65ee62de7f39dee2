import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeKeySegment } from '../core/archive-layout.ts';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import {
  type DailyConnectorKpi,
  dailyKpisKey,
  kpiRowsFromJsonLines,
  kpiRowsToJsonLines,
} from '../core/fleet/daily-kpis.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { Cursor, ReleaseLock, ScanState, SilenceStore } from '../scan/ports.ts';
import { readJsonFile, replaceFile } from './local-files.ts';
import { lockStateFolder } from './local-lock.ts';

/**
 * Cursors and incident records as JSON files in a local folder, one of each per connector; the
 * fleet's attribution record in `fleet/attribution.json`; each day's KPI rows as JSON Lines in
 * `kpis/date=YYYY-MM-DD/kpis.jsonl`, the layout the S3 state uses. Runs on one folder never
 * overlap (`lockForRun`), so writes need no compare-and-swap.
 */
export class LocalState implements ScanState, SilenceStore {
  constructor(readonly location: string) {}

  async lockForRun(runId: string): Promise<ReleaseLock> {
    return lockStateFolder(this.location, runId);
  }

  async saveRunPart(runId: string, part: string, value: unknown): Promise<void> {
    await replaceFile(this.#runPartPath(runId, part), `${JSON.stringify(value)}\n`);
  }

  async loadRunPart(runId: string, part: string): Promise<unknown> {
    return readJsonFile(this.#runPartPath(runId, part));
  }

  #runPartPath(runId: string, part: string): string {
    return join(this.location, 'runs', encodeKeySegment(runId), `${encodeKeySegment(part)}.json`);
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

  async loadAttribution(): Promise<AttributionState | undefined> {
    return (await readJsonFile(this.#attributionPath())) as AttributionState | undefined;
  }

  async saveAttribution(state: AttributionState): Promise<void> {
    // Compact: the window's marks of a whole depot are one document.
    await replaceFile(this.#attributionPath(), `${JSON.stringify(state)}\n`);
  }

  async loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    const path = join(this.location, dailyKpisKey(day));
    try {
      return kpiRowsFromJsonLines(await readFile(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async updateDailyKpis(
    day: string,
    change: (rows: readonly DailyConnectorKpi[]) => DailyConnectorKpi[],
  ): Promise<void> {
    const rows = await this.loadDailyKpis(day);
    const next = change(rows);
    if (next === rows) return;
    await replaceFile(join(this.location, dailyKpisKey(day)), kpiRowsToJsonLines(next));
  }

  async loadSilences(): Promise<unknown> {
    return readJsonFile(this.#silencesPath());
  }

  async updateSilences(change: (stored: unknown) => unknown[]): Promise<void> {
    const next = change(await this.loadSilences());
    await replaceFile(this.#silencesPath(), `${JSON.stringify(next, null, 2)}\n`);
  }

  #attributionPath(): string {
    return join(this.location, 'fleet', 'attribution.json');
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
