import type { S3Client } from '@aws-sdk/client-s3';
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
import type { Cursor, ScanState, SilenceStore } from '../scan/ports.ts';
import type { S3Location } from './s3-location.ts';
import { S3Objects } from './s3-objects.ts';

const ATTEMPTS = 3;
/**
 * A day's KPI rows are read, changed and written again on every lost race; more tries than a
 * whole-record write, as every connector's scan adds to the same day's object.
 */
const KPI_ATTEMPTS = 6;

/**
 * Cursors and incident records in S3, one object of each per connector, written with
 * compare-and-swap (`If-Match` on the ETag read, `If-None-Match` on first write). If another
 * run wrote in between, the cursor keeps the later of the two positions: it never goes
 * backwards. The fleet's attribution record is one object (`fleet/attribution.json`), and each
 * day's KPI rows one JSON Lines object (`kpis/date=YYYY-MM-DD/kpis.jsonl`, an Athena partition).
 */
export class S3State implements ScanState, SilenceStore {
  readonly #objects: S3Objects;
  readonly #prefix: string;
  readonly #etags = new Map<string, string | undefined>();

  constructor(client: S3Client, { bucket, prefix }: S3Location) {
    this.#objects = new S3Objects(client, bucket);
    this.#prefix = prefix;
  }

  async saveRunPart(runId: string, part: string, value: unknown): Promise<void> {
    const key = this.#runPartKey(runId, part);
    // A retried shard replaces what its earlier attempt saved: read for the ETag, then write.
    await this.#read<unknown>(key);
    await this.#write<unknown>(key, value, () => value);
  }

  async loadRunPart(runId: string, part: string): Promise<unknown> {
    return this.#read<unknown>(this.#runPartKey(runId, part));
  }

  #runPartKey(runId: string, part: string): string {
    return `${this.#prefix}runs/${encodeKeySegment(runId)}/${encodeKeySegment(part)}.json`;
  }

  async loadCursor(origin: ReportOrigin): Promise<Cursor | undefined> {
    return this.#read<Cursor>(this.#key('cursors', origin));
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    await this.#write<Cursor>(this.#key('cursors', cursor), cursor, (theirs) =>
      theirs.fetchedUntil > cursor.fetchedUntil ? theirs : cursor,
    );
  }

  async loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined> {
    return this.#read<ConnectorIncidentState>(this.#key('incidents', origin));
  }

  async saveIncidents(state: ConnectorIncidentState): Promise<void> {
    // Runs of one deployment never overlap (reserved concurrency 1); should two ever race, the
    // record that has applied more sessions wins, and the other run's sessions are applied
    // again when its window is read next time.
    await this.#write<ConnectorIncidentState>(this.#key('incidents', state), state, (theirs) =>
      theirs.seen.length > state.seen.length ? theirs : state,
    );
  }

  async loadAttribution(): Promise<AttributionState | undefined> {
    return this.#read<AttributionState>(this.#attributionKey());
  }

  async saveAttribution(state: AttributionState): Promise<void> {
    // As with incidents: should two runs race, the record that has tabulated more sessions
    // wins, and the other's sessions are tabulated again when their window is read next time.
    await this.#write<AttributionState>(this.#attributionKey(), state, (theirs) =>
      tabulated(theirs) > tabulated(state) ? theirs : state,
    );
  }

  async loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    const { value } = await this.#objects.readText(this.#prefix + dailyKpisKey(day));
    return value === undefined ? [] : kpiRowsFromJsonLines(value);
  }

  async updateDailyKpis(
    day: string,
    change: (rows: readonly DailyConnectorKpi[]) => DailyConnectorKpi[],
  ): Promise<void> {
    const key = this.#prefix + dailyKpisKey(day);
    // Each attempt reads afresh and applies the change to what it read, so a writer that got
    // in between keeps its sessions: `change` skips the ones already counted.
    for (let attempt = 1; attempt <= KPI_ATTEMPTS; attempt++) {
      const { value, etag } = await this.#objects.readText(key);
      const rows = value === undefined ? [] : kpiRowsFromJsonLines(value);
      const next = change(rows);
      if (next === rows) return;
      const written = await this.#objects.writeTextIfUnchanged(
        key,
        kpiRowsToJsonLines(next),
        etag,
        'application/x-ndjson',
      );
      if (written !== undefined) return;
    }
    throw new Error(`KPI rows ${key} kept changing under this run (${KPI_ATTEMPTS} attempts)`);
  }

  async loadSilences(): Promise<unknown> {
    return this.#read<unknown>(this.#silencesKey());
  }

  async updateSilences(change: (stored: unknown) => unknown[]): Promise<void> {
    const key = this.#silencesKey();
    // Read first, so the write is against what was there; on a lost race, apply to theirs.
    await this.#write<unknown>(key, change(await this.#read<unknown>(key)), change);
  }

  #attributionKey(): string {
    return `${this.#prefix}fleet/attribution.json`;
  }

  #silencesKey(): string {
    return `${this.#prefix}silences.json`;
  }

  async #read<T>(key: string): Promise<T | undefined> {
    const { value, etag } = await this.#objects.readJson<T>(key);
    this.#etags.set(key, etag);
    return value;
  }

  /** Writes against the version last read; on a lost race, merges with theirs and tries again. */
  async #write<T>(key: string, value: T, merge: (theirs: T) => T): Promise<void> {
    let next = value;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const etag = await this.#objects.writeJsonIfUnchanged(key, next, this.#etags.get(key));
      if (etag !== undefined) {
        this.#etags.set(key, etag);
        return;
      }
      const theirs = await this.#read<T>(key);
      next = theirs === undefined ? value : merge(theirs);
    }
    throw new Error(`state object ${key} kept changing under this run (${ATTEMPTS} attempts)`);
  }

  #key(kind: string, { chargerId, connectorId }: ReportOrigin): string {
    return `${this.#prefix}${kind}/charger=${encodeKeySegment(chargerId)}/connector=${encodeKeySegment(connectorId)}.json`;
  }
}

/** How many sessions a fleet record has tabulated (an older record counts none). */
function tabulated(state: AttributionState): number {
  return Object.values(state.seen ?? {}).reduce((n, sessions) => n + sessions.length, 0);
}
