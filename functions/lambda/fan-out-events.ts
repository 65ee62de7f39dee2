import type { Shard } from '../scan/shards.ts';

/**
 * What the scan function is asked to do when a run fans out over a Step Functions
 * Distributed Map: plan the shards, scan one, or finish the run. A scheduled event (no `kind`)
 * is a whole run in one invocation, as below the fan-out threshold.
 */
export type FanOutEvent = PlanEvent | ShardEvent | FinishEvent;

/** Start a run: split the configured depots into shards. */
export interface PlanEvent {
  kind: 'plan';
}

/** What planning returns, the state machine's input to the map. */
export interface RunPlan {
  runId: string;
  /** The run's window end, shared by every shard (ISO). */
  startedAt: string;
  shards: Shard[];
}

/** Scan one shard of a run. */
export interface ShardEvent {
  kind: 'shard';
  runId: string;
  startedAt: string;
  shard: Shard;
}

/** What a shard returns: how it went, in a few bytes; the details stay in the run's state. */
export interface ShardOutcome {
  shard: Shard;
  /** Connectors scanned, and how many failed. */
  connectors: number;
  failed: number;
}

/**
 * A shard that failed after the map's retries, as the state machine's Catch passes it on:
 * the shard and the error Step Functions recorded.
 */
export interface ShardFailure {
  shard: Shard;
  error: { Error?: string; Cause?: string };
}

/** Finish a run: the fleet-wide steps per depot, metrics, and the verdict on the whole run. */
export interface FinishEvent {
  kind: 'finish';
  runId: string;
  startedAt: string;
  /** One entry per shard, in plan order. */
  shards: (ShardOutcome | ShardFailure)[];
}

/** Whether an event is one of a fanned-out run's steps. */
export function isFanOutEvent(event: unknown): event is FanOutEvent {
  const kind = (event as { kind?: unknown } | null)?.kind;
  return kind === 'plan' || kind === 'shard' || kind === 'finish';
}
