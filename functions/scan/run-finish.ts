import type { FleetSessions } from '../core/fleet/attribution.ts';
import { DEPOT_ORIGIN, depotOutage } from '../core/incidents/depot-outage.ts';
import { dueNotifications, markDelivered } from '../core/incidents/notices.ts';
import type { ConnectorResults } from './connector-results.ts';
import { attributeFleet } from './fleet-step.ts';
import { commitRun, type RunStart } from './run-commit.ts';
import type { RunState } from './run-state.ts';
import type { ScanAdapters, ScanSettings, StepAdapters } from './scan.ts';
import { connectorKey } from './state-document.ts';
import { type ScanSummary, totalsOf } from './summary.ts';

/**
 * What the connectors of a run left for its end: their results, and their sessions as the
 * fleet's attribution reads them (their KPIs are already in the run's state).
 */
export interface ScannedConnectors {
  results: ConnectorResults;
  /** Gone through connector by connector, more than once (see `RunSessions`). */
  sessions: FleetSessions;
}

/**
 * Ends a run once its connectors are scanned: the depot's own incident, the fleet-wide
 * attribution and daily KPIs, all into the run's state; then the commit and the delivery of
 * the outbox (see `commitRun`), and the summary.
 */
export async function finishRun(
  settings: ScanSettings,
  adapters: ScanAdapters,
  state: RunState,
  run: RunStart,
  scanned: ScannedConnectors,
): Promise<ScanSummary> {
  const now = adapters.now ?? Date.now;
  const { log } = adapters;
  const step: StepAdapters = { ...adapters, state, outbox: state.outbox };
  const depot = await depotIncident(settings, step, scanned.results, now);
  const fleetStep = {
    now: new Date(now()).toISOString(),
    fleet: settings.fleet,
    incidents: settings.incidents,
    ...(settings.silenced ? { silenced: settings.silenced } : {}),
    state,
    outbox: state.outbox,
    log,
  };
  const attributed = await attributeFleet(fleetStep, scanned.sessions);
  const end = await commitRun(state, adapters, run);
  // Objects again only now, past the fleet step and the commit, where the run's peak was.
  const results = [...scanned.results];
  for (const r of results) r.alerted = end.sent.get(connectorKey(r)) ?? 0;
  const totals = totalsOf(results);
  // Every notice the run delivered is counted: the depot's own, the fleet's, earlier runs'.
  totals.alerted = end.delivered;
  totals.openIncidents += depot.open + attributed.openIncidents;
  const summary: ScanSummary = {
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt: new Date(now()).toISOString(),
    totals,
    connectors: results,
    ...(attributed.error !== undefined ? { fleetError: attributed.error } : {}),
    ...(end.stateError !== undefined ? { stateError: end.stateError } : {}),
    ...(end.deliveryError !== undefined ? { deliveryError: end.deliveryError } : {}),
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
      runId: run.runId,
      unscanned: skipped,
    });
  log.info('scan finished', {
    runId: run.runId,
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
  adapters: StepAdapters,
  results: ConnectorResults,
  now: () => number,
): Promise<{ open: number }> {
  // Counted one result at a time: the results are not objects until the run's end.
  let attempted = 0;
  const failed = { count: 0, first: undefined as string | undefined };
  for (const r of results) {
    if (r.status === 'skipped') continue;
    attempted++;
    if (r.status !== 'failed' || r.pages > 0) continue;
    failed.count++;
    failed.first ??= r.error;
  }
  if (attempted === 0) return { open: 0 };
  const at = new Date(now()).toISOString();
  try {
    const previous = await adapters.state.loadIncidents(DEPOT_ORIGIN);
    const state = depotOutage(previous, {
      now: at,
      everyConnectorFailed: failed.count === attempted,
      reason: failed.first ?? '',
      failed: failed.count,
    });
    const incidentSettings = settings.incidents.for(DEPOT_ORIGIN);
    const notices = dueNotifications(state, at, incidentSettings, settings.silenced);
    adapters.outbox.add(notices);
    const next = markDelivered(state, notices, settings.silenced);
    // Written only when it changed: most runs find the API up and nothing to record.
    if (JSON.stringify(next) !== JSON.stringify(previous ?? { ...next, incidents: [] }))
      await adapters.state.saveIncidents(next);
    return { open: next.incidents.filter((i) => i.status === 'open').length };
  } catch (error) {
    adapters.log.error('depot incident not updated', {
      error: error instanceof Error ? error.message : String(error),
    });
    return { open: 0 };
  }
}
