import type { ScanState } from './ports.ts';
import { finishRun, recordHistory } from './run-finish.ts';
import {
  type FleetSessionRead,
  type RunStart,
  type ScanAdapters,
  type ScanSettings,
  scanConnectors,
  unscanned,
} from './scan.ts';
import type { ConnectorResult, ScanSummary } from './summary.ts';

/** What a shard keeps in the run's state for the run's last step. */
interface RunPart {
  results: ConnectorResult[];
  sessions: FleetSessionRead[];
}

/** Where the shards of a run keep their parts: the state's root, whatever the depot. */
export type RunParts = Pick<ScanState, 'saveRunPart' | 'loadRunPart'>;

/**
 * Scans one shard of a run that fans out: its connectors exactly as a whole run scans them
 * (cursor, archive, incidents and their notices per connector), then keeps their results and
 * sessions in `parts` for the run's last step, which does what needs the whole depot.
 * `settings.fleet` is the shard's chargers. A store without run parts cannot serve a
 * fanned-out run.
 */
export async function scanShard(
  settings: ScanSettings,
  adapters: ScanAdapters,
  run: RunStart,
  part: string,
  parts: RunParts,
): Promise<ConnectorResult[]> {
  if (!parts.saveRunPart) throw new Error('this state store cannot keep the parts of a run');
  const outcomes = await scanConnectors(settings, adapters, run);
  const results = outcomes.map((o) => o.result);
  await recordHistory(
    adapters,
    run.runId,
    run.startedAt,
    `run-${run.runId}.${part}`,
    outcomes.flatMap((o) => o.delivered),
  );
  const kept: RunPart = { results, sessions: outcomes.flatMap((o) => o.sessions) };
  await parts.saveRunPart(run.runId, part, kept);
  return results;
}

/** A shard as the run's last step sees it: its part's name, its chargers, and whether it failed. */
export interface FinishedShard {
  part: string;
  fleet: ScanSettings['fleet'];
  /** Why the shard failed after its retries, when it did. */
  failure?: string;
}

/**
 * The last step of a run that fans out, once per depot: reads what each shard kept, counts a
 * shard that failed or kept nothing as its connectors failed (named, so the alarm fires and
 * the next run scans them), and ends the run as a whole run ends: the depot's incident,
 * attribution, daily KPIs, history and summary. `settings.fleet` is the whole depot's.
 */
export async function finishShards(
  settings: ScanSettings,
  adapters: ScanAdapters,
  run: RunStart,
  shards: readonly FinishedShard[],
  parts: RunParts,
): Promise<ScanSummary> {
  const results: ConnectorResult[] = [];
  const sessions: FleetSessionRead[] = [];
  for (const shard of shards) {
    const kept =
      shard.failure === undefined
        ? ((await parts.loadRunPart?.(run.runId, shard.part)) as RunPart | undefined)
        : undefined;
    if (kept) {
      results.push(...kept.results);
      sessions.push(...kept.sessions);
      continue;
    }
    const why = `not scanned: shard ${shard.part} ${shard.failure === undefined ? 'kept no results' : `failed: ${shard.failure}`}; it is scanned next run`;
    for (const { chargerId, connectors } of shard.fleet)
      for (const connectorId of connectors)
        results.push(unscanned({ chargerId, connectorId }, run.startedAt, 'failed', why));
  }
  return finishRun(settings, adapters, run, { results, delivered: [], sessions });
}
