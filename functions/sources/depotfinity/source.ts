import type { Config } from '../../config/config.ts';
import type { ClientCredentials } from '../../config/credentials.ts';
import { AIMD_START } from '../../core/aimd.ts';
import { abortAt, type Fetch } from '../../http/http.ts';
import { RequestGate } from '../../http/request-gate.ts';
import type { Sleep } from '../../http/retry.ts';
import type { ReportSource, RetryWait } from '../../scan/ports.ts';
import { pageBodyCapBytes, SessionReportsClient } from './session-reports.ts';
import { AccessTokenProvider } from './token.ts';

/**
 * What the client calls before each retry wait. Its option type takes no argument (it predates
 * the wait), hence the optional one here; `withRetries` always passes it.
 */
export type RetryListener = (wait?: Omit<RetryWait, 'where'>) => void;

/** What the DepotFinity source needs besides the config and the depot's credentials. */
export interface DepotFinityRuntime {
  fetch: Fetch;
  sleep: Sleep;
  now: () => number;
  /** When the run must be done (epoch ms): no request starts after it, those in flight abort. */
  deadline?: number;
  /** Memory the process may use, in MB; sets the largest page body read. Default: 1024. */
  memoryMb?: number;
  /** The gate every report request passes; see `ConfiguredScanRuntime.requestGate`. */
  requestGate?: RequestGate | 'fixed';
  /** The listener for retries of one place: `access token`, or `<charger>/<connector>`. */
  retrying: (where: string) => RetryListener;
}

/**
 * The DepotFinity API as the scan's `ReportSource`: one OAuth token provider and one request
 * gate for the run, and a session reports client per connector read.
 */
export function depotFinitySource(
  config: Config,
  credentials: ClientCredentials,
  runtime: DepotFinityRuntime,
): ReportSource {
  const { scan } = config;
  const { fetch: fetchFn, sleep, now } = runtime;
  const policy = {
    maxAttempts: scan.maxAttempts,
    baseDelayMs: scan.retryBaseDelayMs,
    maxDelayMs: scan.retryMaxDelayMs,
  };
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
    onRetry: runtime.retrying('access token'),
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
  return {
    pages: (query) =>
      client(runtime.retrying(`${query.chargerId}/${query.connectorId}`)).pages(query),
  };
}
