import type { ReportOrigin } from '../core/session-report.ts';

/** What one connector's scan did, counted. */
export interface ConnectorCounts {
  pages: number;
  fetched: number;
  archived: number;
  alreadyArchived: number;
  quarantined: number;
  findings: number;
  /** Incident notices delivered. */
  alerted: number;
  /** Incidents open after the run. */
  openIncidents: number;
  ruleErrors: number;
}

/**
 * The outcome of one connector: counts, and the error that stopped it, if any. `skipped` means
 * the run's deadline came before the connector was started.
 */
export interface ConnectorResult extends ReportOrigin, ConnectorCounts {
  /** The depot, in a config of several. */
  depot?: string;
  status: 'ok' | 'failed' | 'skipped';
  window: { from: string; to: string };
  findingsByRule: Record<string, number>;
  error?: string;
  credentialsRefused?: boolean;
}

/** The outcome of a whole scan run. */
export interface ScanSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  totals: ConnectorCounts & { findingsByRule: Record<string, number> };
  connectors: ConnectorResult[];
  /** Connectors that could not be scanned; non-empty means the run failed. */
  failed: FailedConnector[];
  /**
   * Why the fleet-wide step (attribution across chargers and vehicles) could not finish: its
   * notices not published or its record not saved. Set means the run failed.
   */
  fleetError?: string;
  /**
   * Why the run's state was not committed (another run committed first, or the store failed):
   * nothing the run decided was sent, and the next run does its work again.
   */
  stateError?: string;
  /** Notices that were not delivered; they stay in the outbox and the next run sends them. */
  deliveryError?: string;
}

/** The reasons a run failed beyond its connectors: the fleet step, the commit, the delivery. */
export function runErrors(
  summary: Pick<ScanSummary, 'fleetError' | 'stateError' | 'deliveryError'>,
): string[] {
  return [summary.stateError, summary.fleetError, summary.deliveryError].filter(
    (e): e is string => e !== undefined,
  );
}

/** Whether a run failed: a connector could not be scanned, or the run could not finish. */
export function runFailed(
  summary: Pick<ScanSummary, 'failed' | 'fleetError' | 'stateError' | 'deliveryError'>,
): boolean {
  return summary.failed.length > 0 || runErrors(summary).length > 0;
}

/** A connector that could not be scanned, and why. */
export interface FailedConnector {
  /** The depot, in a config of several. */
  depot?: string;
  chargerId: string;
  connectorId: string;
  error: string;
  /** True when the API refused the client credentials: a person must act. */
  credentialsRefused?: boolean;
}

/** A zeroed set of counts. */
export function emptyCounts(): ConnectorCounts {
  return {
    pages: 0,
    fetched: 0,
    archived: 0,
    alreadyArchived: 0,
    quarantined: 0,
    findings: 0,
    alerted: 0,
    openIncidents: 0,
    ruleErrors: 0,
  };
}

/**
 * A connector's result, its properties always in one order: a large depot's results then share
 * one hidden class, where spreading its origin and counts gave each result a shape of its own
 * (half a kilobyte a connector).
 */
export function connectorResult(
  origin: ReportOrigin,
  counts: ConnectorCounts,
  status: ConnectorResult['status'],
  window: ConnectorResult['window'],
  findingsByRule: Record<string, number>,
  error?: string,
): ConnectorResult {
  const result: ConnectorResult = {
    chargerId: origin.chargerId,
    connectorId: origin.connectorId,
    pages: counts.pages,
    fetched: counts.fetched,
    archived: counts.archived,
    alreadyArchived: counts.alreadyArchived,
    quarantined: counts.quarantined,
    findings: counts.findings,
    alerted: counts.alerted,
    openIncidents: counts.openIncidents,
    ruleErrors: counts.ruleErrors,
    status,
    window,
    findingsByRule,
  };
  if (error !== undefined) result.error = error;
  return result;
}

/** Adds up the connectors' counts into the run's totals. */
export function totalsOf(results: readonly ConnectorResult[]): ScanSummary['totals'] {
  const totals = { ...emptyCounts(), findingsByRule: {} as Record<string, number> };
  for (const result of results) {
    for (const key of Object.keys(emptyCounts()) as (keyof ConnectorCounts)[]) {
      totals[key] += result[key];
    }
    for (const [rule, count] of Object.entries(result.findingsByRule)) {
      totals.findingsByRule[rule] = (totals.findingsByRule[rule] ?? 0) + count;
    }
  }
  return totals;
}
