/**
 * `Date.parse` of a run's time, remembering the last one asked: one run asks it of every
 * connector (whether it went silent, whether a reminder is due), a backtest's 400 connectors
 * in each of thousands of runs. The same text always parses the same, so the answer is exact.
 */
export function runTimeMs(now: string): number {
  if (now !== lastText) {
    lastText = now;
    lastMs = Date.parse(now);
  }
  return lastMs;
}

let lastText: string | undefined;
let lastMs = Number.NaN;
