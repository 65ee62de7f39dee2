import { randomUUID } from 'node:crypto';
import { mapWithConcurrency } from '../core/concurrency.ts';
import type { Severity } from '../core/finding.ts';
import type { FleetSession } from '../core/fleet/attribution.ts';
import { DEPOT_ORIGIN, depotOutage } from '../core/incidents/depot-outage.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { dueNotifications, markDelivered, type SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettingsBook } from '../core/incidents/settings.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import { attributeFleet, rollUpKpis } from './fleet-step.ts';
import type {
  AlertSink,
  Log,
  ReportArchive,
  ReportSource,
  ScanProgress,
  ScanState,
} from './ports.ts';
import { type ConnectorOutcome, scanConnector } from './scan-connector.ts';
import { type ConnectorResult, emptyCounts, type ScanSummary, totalsOf } from './summary.ts';

/** The settings a scan run needs, all from the one config schema. */
export interface ScanSettings {
  fleet: readonly { chargerId: string; connectors: readonly string[] }[];
  /** Thresholds per connector, overrides applied. */
  thresholds: ThresholdBook;
  /** Connectors scanned at once. */
  concurrency: number;
  /** How far back the first run of a connector looks. */
  initialLookbackHours: number;
  /** How far each window reaches back before the cursor, for reports the API publishes late. */
  overlapMinutes: number;
  /** A cursor younger than this is not rewritten. */
  cursorRefreshMinutes: number;
  /** Incident settings per connector, overrides applied. */
  incidents: IncidentSettingsBook;
  /** Whether notices about an incident must wait (silences, maintenance windows). */
  silenced?: SilencedAt;
  /**
   * When the run must be done (epoch ms): no connector starts and no page is read after it, so
   * state and metrics are written before the Lambda's own timeout. Default: none.
   */
  deadline?: number;
}

/** The adapters a scan run uses; the scan never knows whether they are AWS or local. */
export interface ScanAdapters {
  source: ReportSource;
  archive: ReportArchive;
  state: ScanState;
  alerts: AlertSink;
  log: Log;
  now?: () => number;
  /** Told as connectors finish and reports arrive, for a person watching. Default: none. */
  progress?: ScanProgress;
}

/**
 * One scan of the whole fleet. Each connector is scanned on its own: a failure on one is
 * recorded and the others go on. The caller decides what a failed connector means (the CLI
 * exits non-zero, the Lambda fails the invocation so the alarm fires).
 */
export async function runScan(
  settings: ScanSettings,
  adapters: ScanAdapters,
): Promise<ScanSummary> {
  const now = adapters.now ?? Date.now;
  const runId = randomUUID();
  const startedAt = new Date(now()).toISOString();
  const origins: ReportOrigin[] = settings.fleet.flatMap(({ chargerId, connectors }) =>
    connectors.map((connectorId) => ({ chargerId, connectorId })),
  );
  const log = adapters.log;
  const { deadline } = settings;
  const release = await adapters.state.lockForRun?.(runId);
  try {
    log.info('scan started', { runId, connectors: origins.length });
    adapters.progress?.started(origins.length);

    const outcomes = await mapWithConcurrency(origins, settings.concurrency, async (origin) => {
      if (deadline !== undefined && now() >= deadline) {
        const skipped = { result: unscanned(origin, startedAt), delivered: [], sessions: [] };
        adapters.progress?.connectorDone(skipped.result);
        return skipped satisfies Folded;
      }
      const outcome = await scanConnector({
        origin,
        to: startedAt,
        initialLookbackHours: settings.initialLookbackHours,
        overlapMinutes: settings.overlapMinutes,
        cursorRefreshMinutes: settings.cursorRefreshMinutes,
        source: adapters.source,
        archive: adapters.archive,
        state: adapters.state,
        alerts: adapters.alerts,
        thresholds: settings.thresholds.for(origin),
        incidents: settings.incidents.for(origin),
        ...(settings.silenced ? { silenced: settings.silenced } : {}),
        log,
        now,
        writeConcurrency: 8,
        ...(deadline !== undefined ? { deadline } : {}),
        ...(adapters.progress ? { progress: adapters.progress } : {}),
      });
      if (outcome.result.status === 'failed')
        log.error('connector scan failed', { runId, ...origin, error: outcome.result.error });
      adapters.progress?.connectorDone(outcome.result);
      return folded(origin, outcome);
    });
    const results = outcomes.map((o) => o.result);
    const depot = await depotIncident(settings, adapters, results, now);
    const fleetSessions = outcomes.flatMap((o) => o.sessions);
    const fleetStep = {
      now: new Date(now()).toISOString(),
      fleet: settings.fleet,
      incidents: settings.incidents,
      ...(settings.silenced ? { silenced: settings.silenced } : {}),
      state: adapters.state,
      alerts: adapters.alerts,
      log,
    };
    const attributed = await attributeFleet(fleetStep, fleetSessions);
    await rollUpKpis(fleetStep, fleetSessions);
    await recordHistory(adapters, runId, startedAt, [
      ...outcomes.flatMap((o) => o.delivered),
      ...depot,
      ...attributed.delivered,
    ]);

    const totals = totalsOf(results);
    totals.alerted += attributed.delivered.length;
    totals.openIncidents += attributed.openIncidents;
    const summary: ScanSummary = {
      runId,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      totals,
      connectors: results,
      ...(attributed.error !== undefined ? { fleetError: attributed.error } : {}),
      failed: results
        .filter((r) => r.status !== 'ok')
        .map(({ chargerId, connectorId, error, credentialsRefused }) => ({
          chargerId,
          connectorId,
          error: error ?? 'unknown error',
          ...(credentialsRefused ? { credentialsRefused } : {}),
        })),
    };
    const skipped = results.filter((r) => r.status === 'skipped').length;
    if (skipped > 0)
      log.error('deadline reached before every connector was scanned', {
        runId,
        unscanned: skipped,
      });
    log.info('scan finished', {
      runId,
      ...summary.totals,
      failedConnectors: summary.failed.length,
    });
    return summary;
  } finally {
    await release?.();
  }
}

/**
 * Keeps the depot's own incident: when no connector could be read (an API outage, refused
 * credentials), one incident for the depot rather than silence or one per connector. Runs cut
 * short by the deadline say nothing about the API and leave it as it is.
 */
async function depotIncident(
  settings: ScanSettings,
  adapters: ScanAdapters,
  results: readonly ConnectorResult[],
  now: () => number,
): Promise<IncidentNotification[]> {
  const attempted = results.filter((r) => r.status !== 'skipped');
  if (attempted.length === 0) return [];
  const failed = attempted.filter((r) => r.status === 'failed' && r.pages === 0);
  const at = new Date(now()).toISOString();
  try {
    const previous = await adapters.state.loadIncidents(DEPOT_ORIGIN);
    const state = depotOutage(previous, {
      now: at,
      everyConnectorFailed: failed.length === attempted.length,
      reason: failed[0]?.error ?? '',
      failed: failed.length,
    });
    const incidentSettings = settings.incidents.for(DEPOT_ORIGIN);
    const notices = dueNotifications(state, at, incidentSettings, settings.silenced);
    const outcome = notices.length > 0 ? await adapters.alerts.publish(notices) : undefined;
    const accepted = new Set(outcome?.accepted ?? []);
    const delivered = notices.filter((n) => accepted.has(n.id));
    const next = markDelivered(state, delivered, settings.silenced);
    // Written only when it changed: most runs find the API up and nothing to record.
    if (JSON.stringify(next) !== JSON.stringify(previous ?? { ...next, incidents: [] }))
      await adapters.state.saveIncidents(next);
    return delivered;
  } catch (error) {
    adapters.log.error('depot incident not updated', {
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}

/**
 * Appends the notices the run delivered to the incident history in the archive. History is a
 * record for people and Athena, not what the next run relies on: a failure to write it is
 * logged, and the run goes on.
 */
async function recordHistory(
  adapters: ScanAdapters,
  runId: string,
  startedAt: string,
  delivered: readonly IncidentNotification[],
): Promise<void> {
  if (delivered.length === 0) return;
  const lines = delivered.map((notice) => `${JSON.stringify({ runId, ...notice })}\n`).join('');
  try {
    await adapters.archive.putIncidentHistory(startedAt.slice(0, 10), `run-${runId}`, lines);
  } catch (error) {
    adapters.log.error('incident history not written', {
      runId,
      notices: delivered.length,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** What the run keeps of a connector once it is done, until the fleet step and the summary. */
interface Folded {
  result: ConnectorResult;
  delivered: IncidentNotification[];
  sessions: FleetSessionRead[];
}

/** A session as the fleet step reads it: attribution and daily KPIs. */
type FleetSessionRead = FleetSession & { severities: readonly Severity[] };

/**
 * Folds a connector's outcome into what the run keeps of it, as soon as the connector is done:
 * a run holds this for every connector of the fleet until its end. Its sessions share the
 * connector's origin rather than each carrying a copy.
 */
function folded(origin: ReportOrigin, outcome: ConnectorOutcome): Folded {
  return {
    result: outcome.result,
    delivered: outcome.delivered,
    sessions: outcome.sessions.map(({ session, severities }) => ({ origin, session, severities })),
  };
}

/** A connector the run had no time left to start; it counts as failed, so the alarm fires. */
function unscanned(origin: ReportOrigin, at: string): ConnectorResult {
  return {
    ...origin,
    ...emptyCounts(),
    status: 'skipped',
    window: { from: at, to: at },
    findingsByRule: {},
    error: "not scanned: the run's deadline came first; it is scanned next run",
  };
}
