import { alertsFrom, archiveFrom, stateFrom } from '../adapters/from-config.ts';
import type { Config } from '../config/config.ts';
import type { ClientCredentials } from '../config/credentials.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import type { Fetch } from '../depot/http.ts';
import { realSleep, type Sleep } from '../depot/retry.ts';
import { SessionReportsClient } from '../depot/session-reports.ts';
import { AccessTokenProvider } from '../depot/token.ts';
import type { AlertSink, Log, ReportArchive, ScanState } from './ports.ts';
import { runScan } from './scan.ts';
import type { ScanSummary } from './summary.ts';

/** What the caller of a configured scan supplies besides the config. */
export interface ScanRuntime {
  credentials: ClientCredentials;
  log: Log;
  /** Relative paths in the config are resolved against this. */
  baseDir: string;
  /** Where `stdout` alerts go. */
  write?: (text: string) => void;
  /** Adapters that replace the ones the config names (the Lambda passes its AWS ones). */
  archive?: ReportArchive;
  state?: ScanState;
  alerts?: AlertSink;
  fetch?: Fetch;
  sleep?: Sleep;
  now?: () => number;
  /** Called once per retried API request, for metrics. */
  onRetry?: () => void;
}

/** Wires the DepotFinity client and the adapters a config names, and runs one scan. */
export async function scanFromConfig(config: Config, runtime: ScanRuntime): Promise<ScanSummary> {
  const { scan } = config;
  const policy = {
    maxAttempts: scan.maxAttempts,
    baseDelayMs: scan.retryBaseDelayMs,
    maxDelayMs: scan.retryMaxDelayMs,
  };
  const fetchFn = runtime.fetch ?? fetch;
  const sleep = runtime.sleep ?? realSleep;
  const now = runtime.now ?? Date.now;
  const tokens = new AccessTokenProvider({
    tokenUrl: config.api.tokenUrl,
    clientId: runtime.credentials.clientId,
    clientSecret: runtime.credentials.clientSecret,
    timeoutMs: scan.requestTimeoutMs,
    policy,
    fetch: fetchFn,
    sleep,
    now,
    ...(runtime.onRetry ? { onRetry: runtime.onRetry } : {}),
  });
  const source = new SessionReportsClient({
    baseUrl: config.api.baseUrl,
    tokens,
    pageSize: scan.pageSize,
    timeoutMs: scan.requestTimeoutMs,
    policy,
    fetch: fetchFn,
    sleep,
    ...(runtime.onRetry ? { onRetry: runtime.onRetry } : {}),
  });
  const adapterOptions = {
    baseDir: runtime.baseDir,
    ...(runtime.write ? { write: runtime.write } : {}),
  };
  const archive = runtime.archive ?? archiveFrom(config.archive, adapterOptions);
  return runScan(
    {
      fleet: config.fleet,
      thresholds: new ThresholdBook(config.thresholds as ThresholdsInput, config.overrides),
      concurrency: scan.concurrency,
      initialLookbackHours: scan.initialLookbackHours,
      overlapMinutes: scan.overlapMinutes,
      ledgerRetentionDays: scan.ledgerRetentionDays,
    },
    {
      source,
      archive,
      state: runtime.state ?? stateFrom(config.state, adapterOptions),
      alerts: runtime.alerts ?? alertsFrom(config.alerts, archive.location, adapterOptions),
      log: runtime.log,
      now,
    },
  );
}
