import { DEPOT_ORIGIN, depotOutage } from '../core/incidents/depot-outage.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { dueNotifications, markDelivered } from '../core/incidents/notices.ts';
import { attributeFleet, rollUpKpis } from './fleet-step.ts';
import { publishInOrder } from './publish-in-order.ts';
import type { FleetSessionRead, RunStart, ScanAdapters, ScanSettings } from './scan.ts';
import { type ConnectorResult, type ScanSummary, totalsOf } from './summary.ts';

/** What the connectors of a run left for its end: their results, notices and sessions. */
export interface ScannedConnectors {
  results: readonly ConnectorResult[];
  /** Notices the connectors delivered and the incident history does not hold yet. */
  delivered: readonly IncidentNotification[];
  sessions: readonly FleetSessionRead[];
}

/**
 * Ends a run once its connectors are scanned: the depot's own incident, the fleet-wide
 * attribution and daily KPIs, the incident history, and the summary.
 */
export async function finishRun(
  settings: ScanSettings,
  adapters: ScanAdapters,
  { runId, startedAt }: RunStart,
  scanned: ScannedConnectors,
): Promise<ScanSummary> {
  const now = adapters.now ?? Date.now;
  const { log } = adapters;
  const { results } = scanned;
  const depot = await depotIncident(settings, adapters, results, now);
  const fleetStep = {
    now: new Date(now()).toISOString(),
    fleet: settings.fleet,
    incidents: settings.incidents,
    ...(settings.silenced ? { silenced: settings.silenced } : {}),
    state: adapters.state,
    alerts: adapters.alerts,
    log,
  };
  const attributed = await attributeFleet(fleetStep, scanned.sessions);
  await rollUpKpis(fleetStep, scanned.sessions);
  await recordHistory(adapters, runId, startedAt, `run-${runId}`, [
    ...scanned.delivered,
    ...depot.delivered,
    ...attributed.delivered,
  ]);

  const totals = totalsOf(results);
  // Every notice the run sent is counted, the depot's own and the fleet's too.
  totals.alerted += depot.delivered.length + attributed.delivered.length;
  totals.openIncidents += depot.open + attributed.openIncidents;
  const summary: ScanSummary = {
    runId,
    startedAt,
    finishedAt: new Date(now()).toISOString(),
    totals,
    connectors: [...results],
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
): Promise<{ delivered: IncidentNotification[]; open: number }> {
  const attempted = results.filter((r) => r.status !== 'skipped');
  if (attempted.length === 0) return { delivered: [], open: 0 };
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
    const outcome = notices.length > 0 ? await publishInOrder(adapters.alerts, notices) : undefined;
    const accepted = new Set(outcome?.accepted ?? []);
    const delivered = notices.filter((n) => accepted.has(n.id));
    const next = markDelivered(state, delivered, settings.silenced);
    // Written only when it changed: most runs find the API up and nothing to record.
    if (JSON.stringify(next) !== JSON.stringify(previous ?? { ...next, incidents: [] }))
      await adapters.state.saveIncidents(next);
    return { delivered, open: next.incidents.filter((i) => i.status === 'open').length };
  } catch (error) {
    adapters.log.error('depot incident not updated', {
      error: error instanceof Error ? error.message : String(error),
    });
    return { delivered: [], open: 0 };
  }
}

/**
 * Appends the notices the run delivered to the incident history in the archive. History is a
 * record for people and Athena, not what the next run relies on: a failure to write it is
 * logged, and the run goes on.
 */
export async function recordHistory(
  adapters: ScanAdapters,
  runId: string,
  startedAt: string,
  name: string,
  delivered: readonly IncidentNotification[],
): Promise<void> {
  if (delivered.length === 0) return;
  const lines = delivered.map((notice) => `${JSON.stringify({ runId, ...notice })}\n`).join('');
  try {
    await adapters.archive.putIncidentHistory(startedAt.slice(0, 10), name, lines);
  } catch (error) {
    adapters.log.error('incident history not written', {
      runId,
      notices: delivered.length,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
