import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { type DepotScope, depotsOf } from '../config/depot-scopes.ts';
import { type FinishedShard, finishShards, scanShard } from '../scan/shard-run.ts';
import { planShards, type Shard, shardFleet } from '../scan/shards.ts';
import type { ConnectorResult, ScanSummary } from '../scan/summary.ts';
import { configuredStep, stepWithout } from './configured-scan.ts';
import {
  type DepotScanRuntime,
  depotAdapters,
  depotRuntime,
  merged,
  runSilences,
} from './depot-scans.ts';

/** A run that fans out, as each of its steps knows it. */
export interface FannedRun {
  runId: string;
  /** Every connector's window ends here, whichever shard reads it (ISO). */
  startedAt: string;
  shards: Shard[];
}

/** A shard's end as the run's last step is told it: done, or failed with a reason. */
export type ShardEnd = { shard: Shard; failure?: string };

/**
 * Plans a run that fans out: every depot cut into shards of at most `perShard` connectors
 * (see `planShards`), one window end for all of them.
 */
export function planRun(config: Config, perShard: number, now: number): FannedRun {
  const depots = depotsOf(config).map(({ name, config: own }) => ({ name, fleet: own.fleet }));
  return {
    runId: randomUUID(),
    startedAt: new Date(now).toISOString(),
    shards: planShards(depots, perShard),
  };
}

/**
 * The name a shard's part of the run is kept under, at the state's root: `shard-2-of-5`, or
 * `north.shard-2-of-5` for a depot of several.
 */
export function partName(shard: Shard): string {
  const own = `shard-${shard.index + 1}-of-${shard.of}`;
  return shard.depot === undefined ? own : `${shard.depot}.${own}`;
}

/**
 * Scans one shard: its depot's chargers in the shard's slice, with the depot's credentials
 * and adapters, keeping what the run's last step needs.
 */
export async function scanDepotShard(
  config: Config,
  runtime: DepotScanRuntime,
  run: Omit<FannedRun, 'shards'>,
  shard: Shard,
): Promise<ConnectorResult[]> {
  const depot = depotNamed(config, shard.depot);
  const own = { ...depot.config, fleet: shardFleet(depot.config.fleet, shard) };
  const silenced = await runSilences(config, runtime);
  const stepRuntime = await depotRuntime(depot, { ...runtime, runId: run.runId, silenced });
  const results = await configuredStep(own, stepRuntime, (settings, adapters) =>
    scanShard(settings, adapters, run, partName(shard), runtime.rootState),
  );
  return depot.name === undefined ? results : results.map((r) => ({ depot: depot.name, ...r }));
}

/**
 * The last step of a run that fans out: per depot, reads what its shards kept and ends the
 * run as a whole run ends (depot incident, attribution, KPIs, history); one summary for all.
 */
export async function finishFannedRun(
  config: Config,
  runtime: DepotScanRuntime,
  run: Omit<FannedRun, 'shards'>,
  ends: readonly ShardEnd[],
): Promise<ScanSummary> {
  const silenced = await runSilences(config, runtime);
  const summaries = await Promise.all(
    depotsOf(config).map(async (depot) => {
      const shards: FinishedShard[] = ends
        .filter(({ shard }) => shard.depot === depot.name)
        .map(({ shard, failure }) => ({
          part: partName(shard),
          fleet: shardFleet(depot.config.fleet, shard),
          ...(failure !== undefined ? { failure } : {}),
        }));
      // The last step reads no reports: it needs the depot's adapters, not its credentials.
      const summary = await stepWithout(
        depot.config,
        { ...runtime, runId: run.runId, silenced, ...depotAdapters(depot, runtime) },
        'the last step of a run reads no reports',
        (settings, adapters) => finishShards(settings, adapters, run, shards, runtime.rootState),
      );
      return { name: depot.name, summary };
    }),
  );
  const [only] = summaries;
  if (summaries.length === 1 && only && only.name === undefined) return only.summary;
  return merged(
    run.runId,
    summaries.map(({ name, summary }) => ({ name: name as string, summary })),
  );
}

function depotNamed(config: Config, name: string | undefined): DepotScope {
  const depot = depotsOf(config).find((d) => d.name === name);
  if (!depot)
    throw new Error(
      `the run's plan names depot "${name ?? '(one fleet)'}", which the config no longer lists; the next run plans afresh`,
    );
  return depot;
}
