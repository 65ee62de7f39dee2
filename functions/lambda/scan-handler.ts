import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { awsAdapters, readObjectText } from '../adapters/aws-adapters.ts';
import { s3Client, snsClient } from '../adapters/aws-clients.ts';
import { powertoolsLog } from '../adapters/powertools-log.ts';
import type { Config } from '../config/config.ts';
import { type DepotScope, depotsOf } from '../config/depot-scopes.ts';
import type { Fetch } from '../http/http.ts';
import type { Sleep } from '../http/retry.ts';
import { shardName } from '../scan/shards.ts';
import { runErrors, runFailed, type ScanSummary, totalsOf } from '../scan/summary.ts';
import { scanDepots } from '../wiring/depot-scans.ts';
import {
  type FanOutEvent,
  isFanOutEvent,
  type RunPlan,
  type ShardOutcome,
} from './fan-out-events.ts';
import { fanOutStep, shardSize } from './fan-out-step.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.ts';
import { notConfiguredYet } from './not-configured.ts';
import { loggingNotices, RunTelemetry } from './run-telemetry.ts';
import { recordFailedRun, recordNotConfigured, recordScanMetrics } from './scan-metrics.ts';
import { LambdaSettings } from './settings.ts';

/**
 * What the scheduled function returns: the run's totals, and which connectors failed; or, for
 * a deployment whose credentials are not set yet, why it scanned nothing.
 */
export type ScanReport = Pick<
  ScanSummary,
  | 'runId'
  | 'startedAt'
  | 'finishedAt'
  | 'totals'
  | 'failed'
  | 'fleetError'
  | 'stateError'
  | 'deliveryError'
> & { notConfigured?: string };

/** Thrown after a run that could not scan every connector, so the invocation fails and the alarm fires. */
export class ScanIncompleteError extends Error {
  override readonly name = 'ScanIncompleteError';
  constructor(readonly report: ScanReport) {
    const names = report.failed
      .slice(0, 20)
      .map((f) => `${f.depot === undefined ? '' : `${f.depot} `}${f.chargerId}/${f.connectorId}`);
    const more = report.failed.length > 20 ? ` and ${report.failed.length - 20} more` : '';
    const connectors =
      report.failed.length > 0
        ? `${report.failed.length} connector(s) could not be scanned: ${names.join(', ')}${more}`
        : '';
    super([connectors, ...runErrors(report)].filter(Boolean).join('; '));
  }
}

/** What the handler is built from; tests pass local stand-ins. */
export interface HandlerDependencies {
  env: NodeJS.ProcessEnv;
  s3: S3Client;
  sns: SNSClient;
  logger: Logger;
  metrics: Metrics;
  fetch?: Fetch;
  sleep?: Sleep;
  now?: () => number;
}

/**
 * Builds the scheduled scan function. Everything built here lives as long as the container,
 * so warm invocations reuse the clients, the config and the cached credentials.
 */
export function createScanHandler(deps: HandlerDependencies) {
  const now = deps.now ?? Date.now;
  const settings = new LambdaSettings({
    env: deps.env,
    fetch: deps.fetch ?? fetch,
    now,
    readObject: (uri) => readObjectText(deps.s3, uri),
  });
  const log = powertoolsLog(deps.logger);

  /** What every step of a run is wired with, in this invocation. */
  const runtimeFor = (config: Config, context: Context | undefined, telemetry: RunTelemetry) => ({
    credentials: (depot: DepotScope) => settings.credentials(depot.credentialsSecret),
    log,
    adapters: (depot: DepotScope) => {
      const adapters = awsAdapters(depot.config, deps, depot.name);
      return { ...adapters, alerts: loggingNotices(adapters.alerts, log) };
    },
    rootState: awsAdapters(config, deps).state,
    onRetry: telemetry.onRetry,
    progress: telemetry.progress,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    now,
    ...(context ? { deadline: runDeadline(now(), context.getRemainingTimeInMillis()) } : {}),
    ...(context ? { memoryMb: Number(context.memoryLimitInMB) || 512 } : {}),
  });

  /** Ends a run with a summary: metrics, credentials to ask for again, and the verdict. */
  const verdict = (config: Config, summary: ScanSummary, telemetry: RunTelemetry): ScanReport => {
    recordScanMetrics(deps.metrics, summary, telemetry.retries);
    deps.logger.info('api retries', { runId: summary.runId, ...telemetry.fields() });
    // Refused credentials may have been rotated since they were cached: ask again next time.
    const refused = new Set(summary.failed.filter((f) => f.credentialsRefused).map((f) => f.depot));
    for (const depot of depotsOf(config))
      if (refused.has(depot.name)) settings.forgetCredentials(depot.credentialsSecret);
    const report: ScanReport = {
      runId: summary.runId,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      totals: summary.totals,
      failed: summary.failed,
      ...(summary.fleetError !== undefined ? { fleetError: summary.fleetError } : {}),
      ...(summary.stateError !== undefined ? { stateError: summary.stateError } : {}),
      ...(summary.deliveryError !== undefined ? { deliveryError: summary.deliveryError } : {}),
    };
    if (runFailed(report)) {
      deps.logger.error('scan incomplete', {
        failed: report.failed,
        errors: runErrors(report),
      });
      throw new ScanIncompleteError(report);
    }
    return report;
  };

  /** Why a run has nothing to scan yet, if so (see `notConfiguredYet`). */
  const unsetCredentials = (config: Config) =>
    notConfiguredYet(config, {
      credentials: (depot) => settings.credentials(depot.credentialsSecret),
      state: (depot) => awsAdapters(depot.config, deps, depot.name).state,
    });

  /** A run with nothing to scan yet: one line, its own metric, no error and no alert. */
  const notConfigured = (reason: string): ScanReport => {
    deps.logger.warn(reason);
    recordNotConfigured(deps.metrics);
    const at = new Date(now()).toISOString();
    return {
      runId: randomUUID(),
      startedAt: at,
      finishedAt: at,
      totals: totalsOf([]),
      failed: [],
      notConfigured: reason,
    };
  };

  async function scanHandler(event: ScheduledEvent, context?: Context): Promise<ScanReport>;
  async function scanHandler(
    event: FanOutEvent,
    context?: Context,
  ): Promise<ScanReport | RunPlan | ShardOutcome>;
  async function scanHandler(
    event: ScheduledEvent | FanOutEvent,
    context?: Context,
  ): Promise<ScanReport | RunPlan | ShardOutcome> {
    if (context) deps.logger.addContext(context);
    const telemetry = new RunTelemetry();
    if (isFanOutEvent(event)) {
      deps.logger.info(`fanned-out run: ${event.kind}`, {
        ...('runId' in event ? { runId: event.runId } : {}),
        ...(event.kind === 'shard' ? { shard: shardName(event.shard) } : {}),
      });
      return fanOutStep(event, {
        config: () => settings.config(),
        runtime: (config) => runtimeFor(config, context, telemetry),
        verdict: (config, summary) => verdict(config, summary, telemetry),
        failedRun: () => recordFailedRun(deps.metrics, telemetry.retries),
        notConfigured: (config) => unsetCredentials(config),
        idleRun: notConfigured,
        perShard: (config) => shardSize(config, deps.env, context),
        now,
      });
    }
    deps.logger.info('scheduled scan', { scheduledTime: event.time, eventId: event.id });
    let summary: ScanSummary;
    let config: Config;
    try {
      config = await settings.config();
      const unset = await unsetCredentials(config);
      if (unset !== undefined) return notConfigured(unset);
      summary = await scanDepots(config, runtimeFor(config, context, telemetry));
    } catch (error) {
      // A run that never got to scan still reports itself, so the metrics show the failure.
      recordFailedRun(deps.metrics, telemetry.retries);
      throw error;
    }
    return verdict(config, summary, telemetry);
  }
  return scanHandler;
}

/**
 * When a run must stop starting work: the invocation's end less a reserve for filing the pages
 * read (requests in flight are aborted then), writing state and flushing metrics — 15 % of the
 * time left, between 10 s and 60 s. A Lambda timeout would kill the run without a word; this
 * ends it with the unscanned connectors named.
 */
export function runDeadline(now: number, remainingMs: number): number {
  const reserve = Math.min(60_000, Math.max(10_000, remainingMs * 0.15));
  return now + Math.max(0, remainingMs - reserve);
}

/** The Lambda entry point (EventBridge Scheduler invokes it on the configured rate). */
export const handler = createScanHandler({
  env: process.env,
  // The default chain, which the Lambda bundle narrows to the environment, where Lambda puts
  // the role's credentials (an esbuild alias, infra/bundling.ts).
  s3: s3Client(),
  sns: snsClient(),
  logger: new Logger({ serviceName: METRICS_SERVICE }),
  metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE }),
});
