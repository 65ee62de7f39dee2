/** One figure a benchmark reports, with its target when it has one. */
export interface Figure {
  label: string;
  value: string;
  target?: string;
  /** Whether the target was met; undefined for figures without a target. */
  pass?: boolean;
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

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
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
