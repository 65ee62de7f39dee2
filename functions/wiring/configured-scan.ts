import type { Config } from '../config/config.ts';
import type { ClientCredentials } from '../config/credentials.ts';
import { AIMD_START } from '../core/aimd.ts';
import type { SilencedAt } from '../core/incidents/notices.ts';
import { IncidentSettingsBook } from '../core/incidents/settings.ts';
import { readStoredSilences, type Silence, silencer } from '../core/incidents/silences.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import { abortAt, type Fetch } from '../depot/http.ts';
import { RequestGate } from '../depot/request-gate.ts';
import { realSleep, type Sleep } from '../depot/retry.ts';
import { pageBodyCapBytes, SessionReportsClient } from '../depot/session-reports.ts';
import { AccessTokenProvider } from '../depot/token.ts';
import type {
  AlertSink,
  Log,
  ReportArchive,
  ReportSource,
  RetryWait,
  ScanProgress,
  StateStore,
} from '../scan/ports.ts';
import { runScan, type ScanAdapters, type ScanSettings } from '../scan/scan.ts';
import type { ScanSummary } from '../scan/summary.ts';

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
  const { scan } = config;
  const policy = {
    maxAttempts: scan.maxAttempts,
    baseDelayMs: scan.retryBaseDelayMs,
    maxDelayMs: scan.retryMaxDelayMs,
  };
  const fetchFn = runtime.fetch ?? fetch;
  const sleep = runtime.sleep ?? realSleep;
  const now = runtime.now ?? Date.now;
  const { credentials } = runtime;
  if ('unavailable' in credentials)
    // Every connector fails with the reason, pages untouched: the depot's own incident opens
    // (as for refused credentials) and its cursors stay where they were.
    return stepWithout(config, runtime, credentials.unavailable, step);
  // One signal for the run's every request, so the deadline cuts those in flight too.
  const deadline =
    runtime.deadline !== undefined
      ? { deadline: runtime.deadline, deadlineSignal: abortAt(runtime.deadline, now) }
      : {};
  const tokens = new AccessTokenProvider({
    tokenUrl: config.api.tokenUrl,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    timeoutMs: scan.requestTimeoutMs,
    policy,
    fetch: fetchFn,
    sleep,
    now,
    ...deadline,
    onRetry: retriesOf('access token', runtime),
  });
  // One gate for the whole run: the vendor's rate limit, whatever it is, counts the client's
  // requests, not one connector's. scan.concurrency still bounds the connectors (and so the
  // pages held in memory); the gate bounds the requests among them.
  const gate =
    runtime.requestGate === 'fixed'
      ? undefined
      : (runtime.requestGate ?? new RequestGate({ start: AIMD_START, ceiling: scan.concurrency }));
  const client = (onRetry: RetryListener) =>
    new SessionReportsClient({
      baseUrl: config.api.baseUrl,
      tokens,
      pageSize: scan.pageSize,
      timeoutMs: scan.requestTimeoutMs,
      policy,
      fetch: fetchFn,
      sleep,
      now,
      maxBodyBytes: pageBodyCapBytes(runtime.memoryMb ?? 1024, scan.concurrency),
      maxItems: scan.maxReportsPerConnector,
      ...deadline,
      onRetry,
      ...(gate ? { gate } : {}),
    });
  // A client per connector (it holds no more than its options; the token is shared), so each
  // retry can say which connector waits: connectors are read side by side.
  const source: ReportSource = {
    pages: (query) =>
      client(retriesOf(`${query.chargerId}/${query.connectorId}`, runtime)).pages(query),
  };
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

/**
 * What the client calls before each retry wait. Its option type takes no argument (it predates
 * the wait), hence the optional one here; `withRetries` always passes it.
 */
type RetryListener = (wait?: Omit<RetryWait, 'where'>) => void;

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
