/** One figure a benchmark reports, with its target when it has one. */
export interface Figure {
  label: string;
  value: string;
  target?: string;
  /** Whether the target was met; undefined for figures without a target. */
  pass?: boolean;
  /**
   * The figure as one number (the ratio its target judges, when it has one), kept from run to
   * run so that two runs can be compared: bench/last-run.json.
   */
  ratio?: number;
}

/** What one benchmark measured, and what a reader should know about it. */
export interface BenchResult {
  title: string;
  /** How it was measured, in a sentence or two. */
  method: string;
  figures: Figure[];
  /** Why a target was missed and what would close the gap, or other caveats. */
  notes?: string[];
}

/**
 * A benchmark whose samples are fresh processes spread over a whole run, between the other
 * benchmarks, rather than taken one after the other: a stretch in which the shared machine is
 * slower then moves a few of its samples instead of all of them.
 */
export interface SpreadBenchmark<T> {
  /** How many samples a run takes. */
  sampleCount: number;
  sample(): Promise<T>;
  /** The result of every sample; `spread` tells whether other benchmarks ran between them. */
  result(samples: readonly T[], spread: boolean): BenchResult;
}

/**
 * The clock of every benchmark that scans the simulator, for the scan and the simulator alike:
 * on the wall clock each run would read a different window, and so a different number of
 * reports. In the past, so that a simulator on the wall clock has ended every session in it.
 */
export const BENCH_NOW_ISO = '2026-11-24T00:00:00.000Z';
export const BENCH_NOW = Date.parse(BENCH_NOW_ISO);

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * What fresh processes of one benchmark typically read: the mean of the middle 80 % of `pick`
 * over `runs`. Where single processes fall far from the rest, or in two groups whose shares
 * vary from run to run, a median jumps and this moves with the shares only.
 */
export function typical<T>(runs: readonly T[], pick: (run: T) => number): number {
  const sorted = runs.map(pick).sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * 0.1);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((sum, v) => sum + v, 0) / kept.length;
}

/** Milliseconds one call of `fn` takes. */
export async function timed(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** A number with thousands separators and at most `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** The PASS/MISS word for a figure. */
export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? '' : pass ? 'PASS' : 'MISS';
}

/** The config's fleet for the simulator's chargers HPC-001… with connectors 1 and 2. */
export function simulatedFleet(chargers: number): { chargerId: string; connectors: string[] }[] {
  return Array.from({ length: chargers }, (_, i) => ({
    chargerId: `HPC-${String(i + 1).padStart(3, '0')}`,
    connectors: ['1', '2'],
  }));
}
