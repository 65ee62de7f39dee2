import type { ConnectorSessions, FleetSession } from '../core/fleet/attribution.ts';
import { ConnectorResults } from './connector-results.ts';
import { PartOfEarlierLayout, takePartText } from './part-reader.ts';
import type { StateStore } from './ports.ts';
import { openRunState, type RunStart } from './run-commit.ts';
import { finishRun } from './run-finish.ts';
import { RunSessions } from './run-sessions.ts';
import { RunState, type StateChanges } from './run-state.ts';
import { type ScanAdapters, type ScanSettings, scanConnectors, unscanned } from './scan.ts';
import type { ConnectorResult, ScanSummary } from './summary.ts';

/** What a shard keeps in the run's state for the run's last step, in this order. */
interface RunPart {
  /**
   * The version of the state the shard read (null before the first commit): first, so that
   * the last step knows whether to take the rest before it reads it.
   */
  over?: string | null;
  results: ConnectorResult[];
  /**
   * Its sessions as the fleet's attribution reads them, connector by connector (one at a time
   * in parts written before).
   */
  sessions: (ConnectorSessions | FleetSession)[];
  /** Its connectors' new cursors, incident records and KPI rows, and the notices they decided. */
  changes: StateChanges;
}

/** Where the shards of a run keep their parts: the state's root, whatever the depot. */
export type RunParts = Pick<StateStore, 'saveRunPart' | 'loadRunPart' | 'readRunPart'>;

/**
 * Scans one shard of a run that fans out: its connectors exactly as a whole run scans them,
 * over the depot's state as the run found it, then keeps their results, sessions and state
 * changes in `parts` for the run's last step, which commits the depot's state once for every
 * shard and delivers the notices. Nothing a shard does is committed or sent by the shard.
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
  const state = await RunState.open(
    adapters.state,
    { runId: run.runId, day: run.startedAt.slice(0, 10), until: run.startedAt },
    settings.fleet,
  );
  const sessions = new RunSessions();
  try {
    const results = await scanConnectors(
      settings,
      { ...adapters, state, outbox: state.outbox },
      run,
      sessions,
    );
    const kept: RunPart = {
      over: state.version ?? null,
      results: [...results],
      sessions: [...sessions],
      changes: state.changes(),
    };
    await parts.saveRunPart(run.runId, part, kept);
    return [...results];
  } finally {
    sessions.close();
    state.close();
  }
}

/**
 * A shard's part taken into the run: its results, or `stale` when it read another version of
 * the state, or undefined when it kept none. Read as it arrives where the store can; a part
 * of the earlier layout, or from a store that cannot, is read whole.
 */
async function takePart(
  parts: RunParts,
  runId: string,
  part: string,
  state: RunState,
  sessions: RunSessions,
): Promise<ConnectorResult[] | 'stale' | undefined> {
  const text = await parts.readRunPart?.(runId, part);
  if (text) {
    try {
      return await takePartText(text, state, sessions);
    } catch (error) {
      if (!(error instanceof PartOfEarlierLayout)) throw error;
    }
  }
  const kept = (await parts.loadRunPart?.(runId, part)) as RunPart | undefined;
  if (!kept) return undefined;
  if (!(await state.apply(kept.changes))) return 'stale';
  sessions.addPart(kept.sessions);
  return kept.results;
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
 * shard that failed, kept nothing or read another version of the state as its connectors
 * failed (named, so the alarm fires and the next run scans them), and ends the run as a whole
 * run ends: the depot's incident, attribution, daily KPIs, then one commit and the delivery.
 * `settings.fleet` is the whole depot's.
 */
export async function finishShards(
  settings: ScanSettings,
  adapters: ScanAdapters,
  run: RunStart,
  shards: readonly FinishedShard[],
  parts: RunParts,
): Promise<ScanSummary> {
  const state = await openRunState(adapters, run, settings.fleet, {
    holdsLock: false,
    ...(settings.deadline !== undefined ? { deadline: settings.deadline } : {}),
  });
  const sessions = new RunSessions();
  try {
    const results = new ConnectorResults();
    for (const shard of shards) {
      const taken =
        shard.failure === undefined
          ? await takePart(parts, run.runId, shard.part, state, sessions)
          : undefined;
      if (Array.isArray(taken)) {
        for (const result of taken) results.set(result);
        continue;
      }
      const why = `not scanned: shard ${shard.part} ${
        shard.failure !== undefined
          ? `failed: ${shard.failure}`
          : taken === 'stale'
            ? 'read a state another run has since replaced'
            : 'kept no results'
      }; it is scanned next run`;
      for (const { chargerId, connectors } of shard.fleet)
        for (const connectorId of connectors)
          results.set(unscanned({ chargerId, connectorId }, run.startedAt, 'failed', why));
    }
    return await finishRun(settings, adapters, state, run, { results, sessions });
  } finally {
    sessions.close();
    state.close();
  }
}
