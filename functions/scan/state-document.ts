import type { AttributionState } from '../core/fleet/attribution-state.ts';
import type { DailyConnectorKpi } from '../core/fleet/daily-kpis.ts';
import { CONNECTOR_SEPARATOR } from '../core/fleet/tabulation.ts';
import type { ConnectorIncidentState } from '../core/incidents/connector-incidents.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { ReportOrigin } from '../core/session-report.ts';

/** What a state document says it is, so a reader never takes another file for one. */
export const STATE_FORMAT = 'depot-watch/state@1';

/**
 * Which run is to deliver an outbox entry, and where that run writes its receipt: the incident
 * history file `incidents/date=<day>/run-<runId>.jsonl`, one line per notice it delivered.
 */
export interface Deliverer {
  runId: string;
  /** The UTC day of the run's start: the history partition its receipt goes to. */
  day: string;
  /**
   * Until when (ISO) that run may still be delivering. A run that holds no lock leaves the
   * entry alone until then, so two runs never send it together; after it, the run is over
   * (the Lambda's timeout has passed) and the next run takes the entry over.
   */
  until: string;
}

/** A notice decided and committed, not yet known to be delivered. */
export interface OutboxEntry {
  notice: IncidentNotification;
  deliverer: Deliverer;
  /**
   * When it was delivered, if its receipt (the incident history line) could not be written
   * then: it is never sent again, and the next run records it.
   */
  sent?: string;
}

/**
 * One depot's whole memory between runs, committed once per run: every connector's cursor and
 * incidents, the depot's own incident record, the fleet's attribution record, the KPI rows of
 * the days still changing, and the outbox of notices decided but not yet delivered.
 */
export interface StateDocument {
  format: typeof STATE_FORMAT;
  /** Commits so far; the local store names its files by it. */
  seq: number;
  /** The run that committed this version, and when. */
  runId: string;
  committedAt: string;
  /** Set on the first commit of a state converted from the per-connector layout. */
  migratedFrom?: 'per-connector files';
  /** By connector (`connectorKey`). */
  cursors: Record<string, Cursor>;
  /** By connector (`connectorKey`), the depot's own record under its own key. */
  incidents: Record<string, ConnectorIncidentState>;
  attribution?: AttributionState;
  /**
   * KPI rows of the days a late report may still change (today and yesterday, by the run's
   * clock), so a run adds to them without reading their partition. Older days live only in
   * their partition (`kpis/date=…`).
   */
  kpis: Record<string, DailyConnectorKpi[]>;
  /**
   * The days of `kpis` whose partition holds these same rows. Today's rows reach their
   * partition after the day ends (so a run writes no partition); a late report reopens a day.
   */
  kpisInPartition?: string[];
  outbox: OutboxEntry[];
}

/** How far one connector has been fetched and archived. */
export interface Cursor {
  chargerId: string;
  connectorId: string;
  /** The end of the last window that was fully fetched, archived and alerted. */
  fetchedUntil: string;
  updatedAt: string;
}

/** A state document as read, with the version a commit must replace. */
export interface StoredDocument {
  document: StateDocument;
  /** The store's version token: an S3 ETag, or the local file's sequence number. */
  version: string;
}

/**
 * A day's KPI rows as the document holds them when its partition does not hold them yet
 * (today's), or undefined when the partition is the one to read.
 */
export function unpartitionedKpis(
  document: StateDocument | undefined,
  day: string,
): DailyConnectorKpi[] | undefined {
  if (!document || (document.kpisInPartition ?? []).includes(day)) return undefined;
  return document.kpis[day];
}

/** A connector's key in a state document. */
export function connectorKey({ chargerId, connectorId }: ReportOrigin): string {
  return `${chargerId}${CONNECTOR_SEPARATOR}${connectorId}`;
}

/** An empty document, before its first commit. */
export function emptyDocument(): StateDocument {
  return {
    format: STATE_FORMAT,
    seq: 0,
    runId: '',
    committedAt: '',
    cursors: {},
    incidents: {},
    kpis: {},
    outbox: [],
  };
}

/**
 * Parses a stored state document; a file that is not one is an error naming where it is, never
 * an empty state that would make the next run tell every open fault again.
 */
export function parseStateDocument(text: string, where: string): StateDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`state document ${where} is not JSON: ${(error as Error).message}`);
  }
  const document = value as Partial<StateDocument> | null;
  if (
    document?.format !== STATE_FORMAT ||
    typeof document.seq !== 'number' ||
    typeof document.cursors !== 'object' ||
    typeof document.incidents !== 'object' ||
    !Array.isArray(document.outbox)
  )
    throw new Error(`state document ${where} is not a ${STATE_FORMAT} document`);
  return { kpis: {}, ...document } as StateDocument;
}
