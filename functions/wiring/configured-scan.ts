import type { Config } from '../config/config.ts';
import type { ClientCredentials } from '../config/credentials.ts';
import type { SilencedAt } from '../core/incidents/notices.ts';
import { IncidentSettingsBook } from '../core/incidents/settings.ts';
import { readStoredSilences, type Silence, silencer } from '../core/incidents/silences.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import type { Fetch } from '../http/http.ts';
import type { RequestGate } from '../http/request-gate.ts';
import { realSleep, type Sleep } from '../http/retry.ts';
import type {
  AlertSink,
  Log,
  ReportArchive,
  ReportSource,
  ScanProgress,
  StateStore,
} from '../scan/ports.ts';
import { runScan, type ScanAdapters, type ScanSettings } from '../scan/scan.ts';
import type { ScanSummary } from '../scan/summary.ts';
import { depotFinitySource, type RetryListener } from '../sources/depotfinity/source.ts';

/** What a configured scan needs besides the config: credentials and the adapters to use. */
export interface ConfiguredScanRuntime {
  /** The depot's client credentials; what `unavailable` replaces when they could not be had. */
  credentials: ClientCredentials | { unavailable: string };
  log: Log;
  archive: ReportArchive;
  state: StateStore;
  alerts: AlertSink;
  fetch?: Fetch;
  sleep?: Sleep;
  now?: () => number;
  /** Called once per retried API request, for metrics. */
  onRetry?: () => void;
  /** Told how the scan is going, retries included, for a person watching. Default: none. */
  progress?: ScanProgress;
  /** Whether notices about an incident must wait; see `ScanSettings.silenced`. Default: never. */
  silenced?: SilencedAt;
  /** When the run must be done (epoch ms); see `ScanSettings.deadline`. Default: none. */
  deadline?: number;
  /**
   * Memory the process may use, in MB; with the concurrency it sets the largest page body read
   * (see `pageBodyCapBytes`). Default: 1024.
   */
  memoryMb?: number;
  /**
   * The gate every report request of the run passes. Default: one that starts at `AIMD_START`
   * requests in flight and adapts up to `scan.concurrency`; `'fixed'` keeps to
   * `scan.concurrency` connectors at once without adapting, for comparisons.
   */
  requestGate?: RequestGate | 'fixed';
  /** The run's id, shared by the depots of one run. Default: a new one. */
  runId?: string;
}

/** Wires the DepotFinity client from a config and runs one scan with the given adapters. */
export function configuredScan(
  config: Config,
  runtime: ConfiguredScanRuntime,
): Promise<ScanSummary> {
  return configuredStep(config, runtime, runScan);
}

/** A step of a run given the config's settings and adapters: a whole run, a shard, a finish. */
export type ScanStep<T> = (settings: ScanSettings, adapters: ScanAdapters) => Promise<T>;

/** Wires the DepotFinity client from a config and runs one step of a run with it. */
export async function configuredStep<T>(
  config: Config,
  runtime: ConfiguredScanRuntime,
  step: ScanStep<T>,
): Promise<T> {
  const { credentials } = runtime;
  if ('unavailable' in credentials)
    // Every connector fails with the reason, pages untouched: the depot's own incident opens
    // (as for refused credentials) and its cursors stay where they were.
    return stepWithout(config, runtime, credentials.unavailable, step);
  const source = depotFinitySource(config, credentials, {
    fetch: runtime.fetch ?? fetch,
    sleep: runtime.sleep ?? realSleep,
    now: runtime.now ?? Date.now,
    deadline: runtime.deadline,
    memoryMb: runtime.memoryMb,
    requestGate: runtime.requestGate,
    retrying: (where) => retriesOf(where, runtime),
  });
  return stepWith(config, runtime, source, step);
}

/**
 * A step in which no connector can be read, for a depot whose credentials are missing, or
 * for the last step of a fanned-out run, which reads no reports.
 */
export function stepWithout<T>(
  config: Config,
  runtime: Omit<ConfiguredScanRuntime, 'credentials'>,
  reason: string,
  step: ScanStep<T>,
): Promise<T> {
  return stepWith(
    config,
    runtime,
    {
      // biome-ignore lint/correctness/useYield: a source that fails before its first page
      async *pages() {
        throw new Error(reason);
      },
    },
    step,
  );
}

/** Runs a step of the scan use case with the config's settings over a report source. */
async function stepWith<T>(
  config: Config,
  runtime: Omit<ConfiguredScanRuntime, 'credentials'>,
  source: ReportSource,
  step: ScanStep<T>,
): Promise<T> {
  const { scan } = config;
  const now = runtime.now ?? Date.now;
  const silenced = runtime.silenced ?? (await silencesOf(config, runtime.state, runtime.log));
  return step(
    {
      ...(runtime.runId !== undefined ? { runId: runtime.runId } : {}),
      fleet: config.fleet,
      thresholds: new ThresholdBook(config.thresholds as ThresholdsInput, config.overrides),
      concurrency: scan.concurrency,
      initialLookbackHours: scan.initialLookbackHours,
      overlapMinutes: scan.overlapMinutes,
      cursorRefreshMinutes: scan.cursorRefreshMinutes,
      incidents: new IncidentSettingsBook(config.incidents, config.overrides),
      silenced,
      ...(runtime.deadline !== undefined ? { deadline: runtime.deadline } : {}),
    },
    {
      source,
      archive: runtime.archive,
      state: runtime.state,
      alerts: runtime.alerts,
      log: runtime.log,
      now,
      ...(runtime.progress ? { progress: runtime.progress } : {}),
    },
  );
}

/** Counts a retry for metrics and tells the progress what waits, for what and why. */
function retriesOf(
  where: string,
  runtime: Pick<ConfiguredScanRuntime, 'onRetry' | 'progress'>,
): RetryListener {
  return (wait) => {
    runtime.onRetry?.();
    if (wait) runtime.progress?.retrying({ where, ...wait });
  };
}

/**
 * What silences notices in this run: the config's silences and maintenance windows, and the
 * silences stored beside the state by `depot-watch silence add`. Stored entries that do not read
 * as silences are named in the log and left out; a store that cannot be read is logged, and the
 * run goes on with the config's silences: a silence is never a reason not to scan.
 */
export async function silencesOf(config: Config, state: StateStore, log: Log): Promise<SilencedAt> {
  let stored: Silence[] = [];
  try {
    const { silences, unreadable } = readStoredSilences(await state.loadSilences?.());
    if (unreadable.length > 0)
      log.warn('stored silences ignored: they do not read as silences', {
        ignored: unreadable.length,
      });
    stored = silences;
  } catch (error) {
    log.error("stored silences could not be read; only the config's silences apply", {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return silencer([...config.silences, ...stored], config.maintenanceWindows);
}
