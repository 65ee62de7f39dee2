import { fmt } from './harness.ts';
import type { StepMeasure } from './processes/fan-out-step.ts';

// What the fan-out benchmark and its prediction share.

export const LATENCY_MS = 50;
export const CHARGERS = 10_000;
export const CONNECTORS = CHARGERS * 2;
/** Connectors per shard the run is planned with: 4 shards of 5,000. */
export const PER_SHARD = 5_000;
/** Shards scanned at once: as many as this machine has cores for (the simulator shares them). */
export const AT_ONCE = 2;
/** The config's default `scan.concurrency`, and the model's connectors in flight. */
export const CONCURRENCY = 8;

/** A step's measures, with its process's own wall time. */
export type Timed = StepMeasure & { processMs: number };

export function seconds(ms: number): string {
  return `${fmt(ms / 1000, 2)} s`;
}

export function mib(kb: number): string {
  return `${fmt(kb / 1024, 1)} MiB`;
}
