import type { AttributionState, SessionMark } from '../core/fleet/attribution-state.ts';
import type { DailyConnectorKpi, KpiSession } from '../core/fleet/daily-kpis.ts';
import type { PeerDriftState } from '../core/fleet/peer-drift.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { PackedDocument } from './document-text.ts';

/** A stored state document's text, as `StateStore.readDocument` gives it. */
export interface DocumentText {
  text: AsyncIterable<string>;
  version: string;
  /** Where it is stored, for an error message. */
  where: string;
}

import type { Cursor, StateDocument, StoredDocument } from './state-document.ts';

export type { Cursor } from './state-document.ts';

import type { ConnectorResult } from './summary.ts';

/** One connector and a time window to read. */
export interface ReportQuery {
  chargerId: string;
  connectorId: string;
  from: string;
  to: string;
}

/** One item of a page: the exact bytes the API served for it, and their parsed value. */
export interface RawItem {
  /** The item's JSON text, sliced out of the page as received: what the archive keeps. */
  json: string;
  value: unknown;
}

/** One page as received: the raw items, not yet validated. */
export interface ReportPage {
  page: number;
  items: RawItem[];
}

/**
 * The source refused the client's credentials: retrying will not help, a person must act.
 * Sources throw it (or a subclass) so the scan can say so without knowing the source.
 */
export class CredentialsRefused extends Error {
  override readonly name: string = 'CredentialsRefused';
}

/**
 * The run's deadline cut a read short, a request in flight included. Sources throw it (or a
 * subclass) so the scan reports the connector as cut short: what was read is kept, the cursor
 * stays, and the next run reads the rest.
 */
export class DeadlineReached extends Error {
  override readonly name: string = 'DeadlineReached';
}

/** Where session reports come from: the DepotFinity API, or anything that pages like it. */
export interface ReportSource {
  pages(query: ReportQuery): AsyncIterable<ReportPage>;
}

/** `created` on the first write of a key, `exists` when it was already there. */
export type PutOutcome = 'created' | 'exists';

/**
 * Text to store: whole, or made in pieces on demand (possibly twice, to size it first), so a
 * large file is never one string.
 */
export type TextPieces = string | (() => Iterable<string>);

/**
 * The archive cannot store this one report under its key (a name too long for the store, say):
 * the report goes to quarantine instead, and its connector carries on. Any other error from an
 * archive means the store itself failed, and the connector's window is read again next run.
 */
export class UnstorableReportError extends Error {
  override readonly name = 'UnstorableReportError';
}

/** The raw report archive: create-only, so re-reading a session never rewrites it. */
export interface ReportArchive {
  /** Stores a valid report's raw JSON under its charger, connector, day and session. */
  putReport(
    origin: ReportOrigin,
    sessionDate: string,
    sessionId: string,
    body: string,
  ): Promise<PutOutcome>;
  /** Stores an invalid item's raw JSON in quarantine with the reason beside it. */
  putQuarantined(origin: ReportOrigin, body: string, reason: string): Promise<PutOutcome>;
  /**
   * Adds JSON lines to the incident history under `incidents/date=<day>/<name>.jsonl`, one
   * object per run (S3 cannot append), so Athena reads the history as a table.
   */
  putIncidentHistory(day: string, name: string, jsonLines: TextPieces): Promise<PutOutcome>;
  /** The ids of the notices a history file written by `putIncidentHistory` lists; empty when none. */
  incidentHistoryIds(day: string, name: string): Promise<Set<string>>;
  /** Where the archive is, for people: a folder path or an `s3://` URI. */
  readonly location: string;
}

/** Gives up a lock taken for a run. */
export type ReleaseLock = () => Promise<void>;

/**
 * A run's view of the depot's state: one cursor and one incident record per connector, the
 * fleet's record and the KPI rows. Reads and writes stay in memory; the run commits them at its
 * end, all at once (see `RunState`).
 */
export interface ScanState {
  loadCursor(origin: ReportOrigin): Promise<Cursor | undefined>;
  saveCursor(cursor: Cursor): Promise<void>;
  /** A connector's incidents, or undefined before its first finding. */
  loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined>;
  /** `loadIncidents`, from the run's copy at once: for a step that cannot wait on a store. */
  readIncidents(origin: ReportOrigin): ConnectorIncidentState | undefined;
  saveIncidents(state: ConnectorIncidentState): Promise<void>;
  /** The fleet's bus-or-charger record (see `AttributionState`), or undefined before the first. */
  loadAttribution(): Promise<AttributionState | undefined>;
  saveAttribution(state: AttributionState): Promise<void>;
  /** The failures of the fleet's record alone: what a connector's first notice says of the fleet. */
  loadFleetFailures(): Promise<readonly SessionMark[]>;
  /** A record for a depot that has none yet, its tables kept as the loaded record's are. */
  newAttribution(): AttributionState;
  /** Peer drift's values for a depot that has none yet, kept as the loaded record's are. */
  newPeerDrift(): PeerDriftState;
  /** One UTC day's KPI rows, one per connector that had sessions; empty when none. */
  loadDailyKpis(day: string): Promise<DailyConnectorKpi[]>;
  /** Adds sessions to one UTC day's KPI rows; a session counted before changes nothing. */
  addKpiSessions(day: string, sessions: readonly KpiSession[]): Promise<void>;
}

/**
 * Where a depot's state lives between runs: one state document, replaced whole by
 * compare-and-swap, and the KPI partitions Athena reads.
 */
export interface StateStore {
  /** Where the store is, for people: a folder path or an `s3://` URI. */
  readonly location: string;
  /** The document and its version, or undefined before the first commit. */
  loadDocument(): Promise<StoredDocument | undefined>;
  /**
   * The document's text as it arrives, with its version and where it is, for a run to read
   * without holding it whole. Default: the run reads `loadDocument`.
   */
  readDocument?(): Promise<DocumentText | undefined>;
  /**
   * Writes `document` only if the stored one is still `over` (undefined: still absent).
   * Returns the new version, or undefined when another run committed first.
   */
  commitDocument(
    document: StateDocument | PackedDocument,
    over: string | undefined,
  ): Promise<string | undefined>;
  /**
   * One UTC day's KPI rows for a reader: its partition, or for a day not yet written there
   * (today), the state document's rows; empty when there are none.
   */
  loadDailyKpis(day: string): Promise<DailyConnectorKpi[]>;
  /** One UTC day's KPI partition alone, as Athena reads it; empty when there is none. */
  loadKpiPartition(day: string): Promise<DailyConnectorKpi[]>;
  /**
   * Replaces one UTC day's KPI partition. The rows are read once, in order, and may be
   * produced one at a time: a large depot's day is never whole in memory.
   */
  saveDailyKpis(day: string, rows: Iterable<DailyConnectorKpi>): Promise<void>;
  /**
   * The per-connector layout the state document replaced, read to convert a state that has
   * no document yet; undefined where nothing was stored.
   */
  readonly legacy: LegacyState;
  /**
   * Takes the store for one run; throws, naming the holder, when another run has it. Stores
   * whose runs cannot overlap (the Lambda runs one at a time) need not implement it: there a
   * lost compare-and-swap is what keeps two runs apart.
   */
  lockForRun?(runId: string): Promise<ReleaseLock>;
  /**
   * Keeps one shard's share of a run that fans out until the run's last step reads it; written
   * again whole when a shard is retried. Stores that never serve a fanned-out run need not
   * implement it.
   */
  saveRunPart?(runId: string, part: string, value: unknown): Promise<void>;
  /** A shard's share of a run, or undefined when the shard never saved one. */
  loadRunPart?(runId: string, part: string): Promise<unknown>;
  /** `loadRunPart`'s text in pieces as it arrives, for a reader that never holds it whole. */
  readRunPart?(runId: string, part: string): Promise<AsyncIterable<string> | undefined>;
  /**
   * The silences document set without a deploy, as stored (see `readStoredSilences`), or
   * undefined when there is none; stores that keep none need not implement it.
   */
  loadSilences?(): Promise<unknown>;
}

/** The records of the per-connector layout, read once to convert them into a state document. */
export interface LegacyState {
  loadCursor(origin: ReportOrigin): Promise<Cursor | undefined>;
  loadIncidents(origin: ReportOrigin): Promise<ConnectorIncidentState | undefined>;
  loadAttribution(): Promise<AttributionState | undefined>;
  /** Whether any per-connector record is stored at all. */
  holdsAny(): Promise<boolean>;
}

/**
 * Silences set without a deploy (`depot-watch silence add`), kept beside the scan's state so
 * an engineer's laptop and the scheduled function see the same list.
 */
export interface SilenceStore {
  loadSilences(): Promise<unknown>;
  /**
   * Applies `change` to the stored document and writes what it returns. Where the store can
   * (S3), a concurrent writer makes it read and apply again, so no one's silence is lost.
   */
  updateSilences(change: (stored: unknown) => unknown[]): Promise<void>;
}

/**
 * Where the steps of a run put the notices they decide. Kept with the run's state and sent only
 * after it is committed (see `commitRun`), so deciding a notice never fails.
 */
export interface NoticeOutbox {
  add(notices: readonly IncidentNotification[]): void;
}

/** Which notices an alert channel accepted, by notice id. */
export interface PublishOutcome {
  accepted: string[];
  failed: { id: string; error: string }[];
}

/** Where incident notices go: SNS, the console, a file. */
export interface AlertSink {
  publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome>;
}

/** Structured log lines; fields never carry secrets. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A wait before a request to the report source is tried again. */
export interface RetryWait {
  /** What the request was for: a connector (`HPC-004/1`) or `access token`. */
  where: string;
  /** The attempt that failed, counting from 1. */
  attempt: number;
  /** Attempts allowed in all, the first included. */
  of: number;
  waitMs: number;
  /** Why the attempt failed, for a person: `HTTP 503 server error`. */
  reason: string;
}

/**
 * Hears how a scan is going, so whoever runs it can show a person it is alive. Purely told:
 * nothing it does changes the scan, and the scan never knows what it draws or where.
 */
export interface ScanProgress {
  /** The run begins, with this many connectors to scan. */
  started(connectors: number): void;
  /** A page of this many reports was read from one connector. */
  reportsRead(count: number): void;
  /** A connector is done: scanned, failed, or skipped for the deadline. */
  connectorDone(result: ConnectorResult): void;
  /** A request failed and waits before it is tried again. */
  retrying(wait: RetryWait): void;
}
