import type { Config } from '../functions/config/config.ts';
import { ConfigError } from '../functions/config/config.ts';
import { depotsOf } from '../functions/config/depot-scopes.ts';
import { connectorsPerInvocation } from '../functions/scan/capacity.ts';
import { connectorCount, planShards } from '../functions/scan/shards.ts';

/** What the stack deploys for a fleet: one invocation per run, or a run fanned out over shards. */
export interface ScanSizing {
  /** Connectors the config lists, over every depot. */
  readonly connectors: number;
  /** Connectors one invocation is planned to scan (functions/scan/capacity.ts). */
  readonly perInvocation: number;
  /** Shards a run is split into; 1 when the fleet fits one invocation. */
  readonly shards: number;
  /** Whether a run fans out over a Step Functions Distributed Map. */
  readonly fanOut: boolean;
}

/**
 * Sizes a run from the measured model: a fleet of more connectors than one invocation is
 * planned to scan (half its timeout, at `scan.concurrency` in flight) fans out, one shard per
 * `perInvocation` connectors of each depot, the same split the function's plan step makes.
 */
export function scanSizing(
  config: Config,
  fn: { timeoutMinutes: number; memoryMb: number },
): ScanSizing {
  const perInvocation = connectorsPerInvocation({ ...fn, concurrency: config.scan.concurrency });
  const depots = depotsOf(config).map((d) => ({ name: d.name, fleet: d.config.fleet }));
  const connectors = depots.reduce((n, d) => n + connectorCount(d.fleet), 0);
  const fanOut = connectors > perInvocation;
  return {
    connectors,
    perInvocation,
    shards: fanOut ? planShards(depots, perInvocation).length : 1,
    fanOut,
  };
}

/**
 * A fanned-out run's time limit: the schedule interval less the function's timeout, so every
 * invocation a run starts has ended before the next run begins (a Step Functions timeout
 * stops the execution, not a Lambda invocation already under way). A shard may then use its
 * whole timeout only when the interval is at least twice the timeout; a shorter interval is
 * refused at synth rather than left to overlap at 3 a.m.
 */
export function runTimeoutMinutes(scheduleMinutes: number, timeoutMinutes: number): number {
  if (scheduleMinutes < 2 * timeoutMinutes) {
    throw new ConfigError(
      `scheduleMinutes (${scheduleMinutes}) must be at least twice timeoutMinutes (${timeoutMinutes}) when the scan fans out: a run must end, every invocation with it, before the next one starts; lower timeoutMinutes or raise scheduleMinutes`,
    );
  }
  return scheduleMinutes - timeoutMinutes;
}
