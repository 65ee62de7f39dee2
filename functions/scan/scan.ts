import { randomUUID } from 'node:crypto';
import { mapWithConcurrency } from '../core/concurrency.ts';
import type { SessionMark } from '../core/fleet/attribution-state.ts';
import type { SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettingsBook } from '../core/incidents/settings.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import { ConnectorResults } from './connector-results.ts';
import { KpiFold } from './kpi-fold.ts';
import type {
  AlertSink,
  Log,
  NoticeOutbox,
  ReleaseLock,
  ReportArchive,
  ReportSource,
  ScanProgress,
  ScanState,
  StateStore,
} from './ports.ts';
import { openRunState, type RunStart } from './run-commit.ts';
import { finishRun } from './run-finish.ts';
import { RunSessions } from './run-sessions.ts';
import { scanConnector } from './scan-connector.ts';
import { type ConnectorResult, connectorResult, emptyCounts, type ScanSummary } from './summary.ts';

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
  /** The run's id, when several scans (one per depot) make one run. Default: a new one. */
  runId?: string;
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
  state: StateStore;
  alerts: AlertSink;
  log: Log;
  now?: () => number;
  /** Told as connectors finish and reports arrive, for a person watching. Default: none. */
  progress?: ScanProgress;
}

/**
 * The adapters a step of a run works with: the run's working copy of the state, and the
 * outbox in place of the alert channel, so nothing is sent before the commit.
 */
export type StepAdapters = Omit<ScanAdapters, 'state' | 'alerts'> & {
  state: ScanState;
  outbox: NoticeOutbox;
};

/**
 * One scan of the whole fleet, as one transaction: the state is read once, each connector is
 * scanned on its own (a failure on one is recorded and the others go on), and the run ends by
 * committing the state and then delivering its notices (see `commitRun`). The caller decides
 * what a failed run means (the CLI exits non-zero, the Lambda fails the invocation so the
 * alarm fires).
 */
export async function runScan(
  settings: ScanSettings,
  adapters: ScanAdapters,
): Promise<ScanSummary> {
  const now = adapters.now ?? Date.now;
  const run = { runId: settings.runId ?? randomUUID(), startedAt: new Date(now()).toISOString() };
  const release = await adapters.state.lockForRun?.(run.runId);
  try {
    const state = await openRunState(adapters, run, settings.fleet, {
      holdsLock: release !== undefined,
      ...(settings.deadline !== undefined ? { deadline: settings.deadline } : {}),
    });
    const sessions = new RunSessions();
    try {
      const results = await scanConnectors(
        settings,
        { ...adapters, state, outbox: state.outbox },
        run,
        sessions,
      );
      return await finishRun(settings, adapters, state, run, { results, sessions });
    } finally {
      sessions.close();
      state.close();
    }
  } finally {
    await releaseLogged(release, adapters.log, run.runId);
  }
}

/**
 * Gives up the run's lock. A release that fails is logged, not thrown: thrown from `finally`,
 * it would replace the run's summary (or its own error) with a lesser one.
 */
async function releaseLogged(
  release: ReleaseLock | undefined,
  log: Log,
  runId: string,
): Promise<void> {
  try {
    await release?.();
  } catch (error) {
    log.error('the state lock could not be released; the next run may find it held', {
      runId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

export type { RunStart } from './run-commit.ts';

/**
 * Scans each connector of the settings' fleet, `settings.concurrency` at once, and folds what
 * the run keeps of each as soon as it is done: its sessions go into the day's KPI rows of the
 * run's state at once, and into `sessions` (a temp file) for the fleet's attribution.
 */
export async function scanConnectors(
  settings: ScanSettings,
  adapters: StepAdapters,
  { runId, startedAt }: RunStart,
  sessions: RunSessions,
): Promise<ConnectorResults> {
  const now = adapters.now ?? Date.now;
  const origins: ReportOrigin[] = settings.fleet.flatMap(({ chargerId, connectors }) =>
    connectors.map((connectorId) => ({ chargerId, connectorId })),
  );
  const { log } = adapters;
  const { deadline } = settings;
  log.info('scan started', { runId, connectors: origins.length });
  const fleetHistory = await recentFailures(adapters);
  adapters.progress?.started(origins.length);
  const kpis = new KpiFold(adapters.state, log);
  const results = new ConnectorResults(origins.length);
  await mapWithConcurrency(origins, settings.concurrency, async (origin, index) => {
    if (deadline !== undefined && now() >= deadline) {
      const skipped = unscanned(origin, startedAt);
      adapters.progress?.connectorDone(skipped);
      results.set(skipped, index);
      return;
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
      outbox: adapters.outbox,
      thresholds: settings.thresholds.for(origin),
      incidents: settings.incidents.for(origin),
      ...(settings.silenced ? { silenced: settings.silenced } : {}),
      log,
      now,
      writeConcurrency: 8,
      ...(deadline !== undefined ? { deadline } : {}),
      ...(adapters.progress ? { progress: adapters.progress } : {}),
      fleetHistory,
    });
    if (outcome.result.status === 'failed')
      log.error('connector scan failed', { runId, ...origin, error: outcome.result.error });
    adapters.progress?.connectorDone(outcome.result);
    kpis.add(origin, outcome.sessions);
    sessions.add(
      origin,
      outcome.sessions.map(({ session }) => session),
    );
    results.set(outcome.result, index);
  });
  await kpis.finish();
  return results;
}

/**
 * The fleet's recent failures, for the first notice of a fault to say what else is known. Only
 * words depend on it: a record that cannot be read leaves them out and the run goes on.
 */
async function recentFailures(adapters: StepAdapters): Promise<readonly SessionMark[]> {
  try {
    return await adapters.state.loadFleetFailures();
  } catch (error) {
    adapters.log.warn('fleet history not read; first notices go without it', {
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}

/**
 * A connector the run did not scan: no time left to start it (`skipped`), or its shard failed
 * (`failed`). Either counts as failed, so the alarm fires; it is scanned next run.
 */
export function unscanned(
  origin: ReportOrigin,
  at: string,
  status: 'skipped' | 'failed' = 'skipped',
  error = "not scanned: the run's deadline came first; it is scanned next run",
): ConnectorResult {
  return connectorResult(origin, emptyCounts(), status, { from: at, to: at }, {}, error);
}
