import { createReadStream, existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeKeySegment } from '../core/archive-layout.ts';
import type { AttributionState } from '../core/fleet/attribution-state.ts';
import {
  type DailyConnectorKpi,
  dailyKpisKey,
  kpiJsonLines,
  kpiRowsFromJsonLines,
} from '../core/fleet/daily-kpis.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { documentChunks, type PackedDocument } from '../scan/document-text.ts';
import type {
  Cursor,
  DocumentText,
  LegacyState,
  ReleaseLock,
  SilenceStore,
  StateStore,
} from '../scan/ports.ts';
import {
  parseStateDocument,
  type StateDocument,
  type StoredDocument,
  unpartitionedKpis,
} from '../scan/state-document.ts';
import { createWholeSync, readJsonFile, replaceFile } from './local-files.ts';
import { lockStateFolder } from './local-lock.ts';

/** The folder of the state document's versions, under the state folder. */
const DOCUMENT_FOLDER = 'state';
const VERSION_FILE = /^(\d{12})\.json$/;
/** The state document is read a piece of this size at a time. */
const READ_CHUNK_BYTES = 64 * 1024;
/** Versions kept besides the newest, for a person to compare; older ones are removed. */
const VERSIONS_KEPT = 2;

/**
 * A depot's state in a local folder: the state document as numbered versions
 * (`state/000000000042.json`), each created once and never rewritten, so a commit is a
 * compare-and-swap: creating version N+1 fails when another run created it first. Each day's
 * KPI rows as JSON Lines in `kpis/date=YYYY-MM-DD/kpis.jsonl`, the layout the S3 state uses.
 * Runs on one folder are kept apart by a lock file as well (`lockForRun`).
 */
export class LocalState implements StateStore, SilenceStore {
  readonly legacy: LegacyState;

  constructor(readonly location: string) {
    this.legacy = new LocalLegacyState(location);
  }

  async lockForRun(runId: string): Promise<ReleaseLock> {
    return lockStateFolder(this.location, runId);
  }

  async loadDocument(): Promise<StoredDocument | undefined> {
    const newest = this.#versions().at(-1);
    if (newest === undefined) return undefined;
    const path = this.#versionPath(newest);
    return { document: parseStateDocument(readFileSync(path, 'utf8'), path), version: `${newest}` };
  }

  async readDocument(): Promise<DocumentText | undefined> {
    const newest = this.#versions().at(-1);
    if (newest === undefined) return undefined;
    const path = this.#versionPath(newest);
    return {
      text: createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES }),
      version: `${newest}`,
      where: path,
    };
  }

  async commitDocument(
    document: StateDocument | PackedDocument,
    over: string | undefined,
  ): Promise<string | undefined> {
    const seq = Number(over ?? 0) + 1;
    if (document.seq !== seq)
      throw new Error(`state document version ${document.seq} does not follow version ${over}`);
    if (!createWholeSync(this.#versionPath(seq), () => documentChunks(document))) return undefined;
    for (const old of this.#versions().filter((v) => v < seq - VERSIONS_KEPT)) {
      try {
        unlinkSync(this.#versionPath(old));
      } catch {
        // Removed by another run already; it was only kept for people.
      }
    }
    return `${seq}`;
  }

  #versions(): number[] {
    let names: string[];
    try {
      names = readdirSync(join(this.location, DOCUMENT_FOLDER));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .flatMap((name) => {
        const match = VERSION_FILE.exec(name);
        return match?.[1] ? [Number(match[1])] : [];
      })
      .sort((a, b) => a - b);
  }

  #versionPath(seq: number): string {
    return join(this.location, DOCUMENT_FOLDER, `${String(seq).padStart(12, '0')}.json`);
  }

  async saveRunPart(runId: string, part: string, value: unknown): Promise<void> {
    await replaceFile(this.#runPartPath(runId, part), `${JSON.stringify(value)}\n`);
  }

  async loadRunPart(runId: string, part: string): Promise<unknown> {
    return readJsonFile(this.#runPartPath(runId, part));
  }

  async readRunPart(runId: string, part: string): Promise<AsyncIterable<string> | undefined> {
    const path = this.#runPartPath(runId, part);
    if (!existsSync(path)) return undefined;
    return createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  }

  #runPartPath(runId: string, part: string): string {
    return join(this.location, 'runs', encodeKeySegment(runId), `${encodeKeySegment(part)}.json`);
  }

  async loadDailyKpis(day: string): Promise<DailyConnectorKpi[]> {
    // Read once per store: a reader asks for several days of one document.
    this.#forReaders ??= this.loadDocument();
    return unpartitionedKpis((await this.#forReaders)?.document, day) ?? this.loadKpiPartition(day);
  }

  #forReaders: Promise<StoredDocument | undefined> | undefined;

  async loadKpiPartition(day: string): Promise<DailyConnectorKpi[]> {
    const path = join(this.location, dailyKpisKey(day));
    try {
      return kpiRowsFromJsonLines(await readFile(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async saveDailyKpis(day: string, rows: Iterable<DailyConnectorKpi>): Promise<void> {
    await replaceFile(join(this.location, dailyKpisKey(day)), () => kpiJsonLines(rows));
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
}

/**
 * The per-connector layout before the state document: a cursor and an incident record file
 * per connector, and the fleet's record in `fleet/attribution.json`.
 */
class LocalLegacyState implements LegacyState {
  constructor(private readonly location: string) {}

  async loadCursor(origin: ReportOrigin): Promise<Cursor | undefined> {
    return (await readJsonFile(this.#path('cursors', origin))) as Cursor | undefined;
  }

  async loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined> {
    return (await readJsonFile(this.#path('incidents', origin))) as
      | ConnectorIncidentState
      | undefined;
  }

  async loadAttribution(): Promise<AttributionState | undefined> {
    return (await readJsonFile(join(this.location, 'fleet', 'attribution.json'))) as
      | AttributionState
      | undefined;
  }

  async holdsAny(): Promise<boolean> {
    return ['cursors', 'incidents', 'fleet'].some((folder) => {
      try {
        return readdirSync(join(this.location, folder)).length > 0;
      } catch {
        return false;
      }
    });
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
