import type { Context } from 'aws-lambda';
import type { Config } from '../config/config.ts';
import { connectorsPerInvocation } from '../scan/capacity.ts';
import type { ScanSummary } from '../scan/summary.ts';
import type { DepotScanRuntime } from '../wiring/depot-scans.ts';
import {
  finishFannedRun,
  planRun,
  type ShardEnd,
  scanDepotShard,
} from '../wiring/fan-out-steps.ts';
import type {
  FanOutEvent,
  FinishEvent,
  RunPlan,
  ShardFailure,
  ShardOutcome,
} from './fan-out-events.ts';
import type { ScanReport } from './scan-handler.ts';

/** What a step of a fanned-out run takes from the handler that received it. */
export interface FanOutStepContext {
  config(): Promise<Config>;
  runtime(config: Config): DepotScanRuntime;
  /** Ends a run with its summary: metrics and the verdict (throws when the run failed). */
  verdict(config: Config, summary: ScanSummary): ScanReport;
  /** Records a run that failed before it had a summary. */
  failedRun(): void;
  /** Why the run has nothing to scan yet (credentials still the placeholder), if so. */
  notConfigured(config: Config): Promise<string | undefined>;
  /** Ends a run that had nothing to scan yet: its line, its metric, no error. */
  idleRun(reason: string): ScanReport;
  /** Connectors one shard is planned to hold. */
  perShard(config: Config): number;
  now(): number;
}

/**
 * One step of a run that fans out over a Step Functions Distributed Map: plan the shards,
 * scan one, or finish the run. Only the finish publishes metrics and gives the verdict: a run
 * succeeds only when every shard did.
 */
export async function fanOutStep(
  event: FanOutEvent,
  step: FanOutStepContext,
): Promise<RunPlan | ShardOutcome | ScanReport> {
  const config = await step.config();
  switch (event.kind) {
    case 'plan': {
      const plan = planRun(config, step.perShard(config), step.now());
      // Nothing to scan yet: no shard would do anything but fail on the placeholder.
      return (await step.notConfigured(config)) === undefined ? plan : { ...plan, shards: [] };
    }
    case 'shard': {
      const results = await scanDepotShard(config, step.runtime(config), event, event.shard);
      return {
        shard: event.shard,
        connectors: results.length,
        failed: results.filter((r) => r.status !== 'ok').length,
      };
    }
    case 'finish': {
      let summary: ScanSummary;
      try {
        const unset = await step.notConfigured(config);
        if (unset !== undefined) return step.idleRun(unset);
        summary = await finishFannedRun(config, step.runtime(config), event, shardEnds(event));
      } catch (error) {
        step.failedRun();
        throw error;
      }
      return step.verdict(config, summary);
    }
  }
}

/** The map's results as the run's last step reads them: each shard done, or failed and why. */
function shardEnds(event: FinishEvent): ShardEnd[] {
  return event.shards.map((entry) => {
    if (!('error' in entry)) return { shard: entry.shard };
    const { error } = entry as ShardFailure;
    return { shard: entry.shard, failure: failureText(error) };
  });
}

/** Step Functions' error record in one line: the error name and the cause's message. */
function failureText(error: ShardFailure['error']): string {
  let cause = error.Cause ?? '';
  try {
    // A Lambda error's Cause is the function's error as JSON.
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // A plain-text cause (a timeout, a throttle) is said as it is.
  }
  const text = [error.Error, cause].filter(Boolean).join(': ') || 'unknown error';
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/**
 * Connectors one shard is planned to hold: the stack's `DEPOT_WATCH_SHARD_CONNECTORS`, worked
 * out from the same model when it deployed; else the model for this invocation's own size.
 */
export function shardSize(config: Config, env: NodeJS.ProcessEnv, context?: Context): number {
  const set = Number(env.DEPOT_WATCH_SHARD_CONNECTORS);
  if (Number.isInteger(set) && set > 0) return set;
  return connectorsPerInvocation({
    timeoutMinutes: (context?.getRemainingTimeInMillis() ?? 300_000) / 60_000,
    memoryMb: Number(context?.memoryLimitInMB) || 512,
    concurrency: config.scan.concurrency,
  });
}
