import type { Loudness } from './progress.ts';
import {
  count,
  ProgressLine,
  type ProgressLineOptions,
  type ProgressStream,
} from './progress-line.ts';

/** What a long reading command tells its progress: the step it is on, and what it has counted. */
export interface WorkTracker {
  /** The work moved on to `step` (`reading`, `running the incident engine over 2,880 runs`). */
  step(step: string): void;
  /** `n` more of `what` (`files`, `reports`), shown in the order first counted. */
  add(what: string, n?: number): void;
  /** The work is done: the closing lines follow, and the progress line must be gone first. */
  finish(): void;
}

/**
 * Progress of `replay`, `backtest` and `report`: the step and the counts, redrawn on a terminal
 * and written every 10 s elsewhere. A new step is drawn at once, because the next one may hold
 * the event loop (the backtest's engine is one synchronous call) and no timer could draw it.
 */
export class WorkProgress implements WorkTracker {
  readonly #line: ProgressLine;
  #step = 'starting';
  readonly #counts = new Map<string, number>();

  constructor(options: ProgressLineOptions) {
    this.#line = new ProgressLine(options, () => `${this.#now()}, ${this.#line.elapsed()}`);
  }

  step(step: string): void {
    this.#step = step;
    this.#line.drawNow();
  }

  add(what: string, n = 1): void {
    this.#counts.set(what, (this.#counts.get(what) ?? 0) + n);
  }

  above(write: (text: string) => void): (text: string) => void {
    return this.#line.above(write);
  }

  finish(): void {
    this.#line.finish(`${this.#tally() || 'done'} in ${this.#line.elapsed()}`);
  }

  /** `reading: 12 files, 3,400 reports`. */
  #now(): string {
    const tally = this.#tally();
    return tally ? `${this.#step}: ${tally}` : this.#step;
  }

  #tally(): string {
    return [...this.#counts].map(([what, n]) => `${count(n)} ${what}`).join(', ');
  }
}

/** What a reading command says on stderr besides its own lines: its progress, unless quiet. */
export interface WorkVoice {
  /** Absent with --quiet. */
  progress?: WorkTracker;
  /** Wraps a writer so its text never lands inside the progress line. */
  above(write: (text: string) => void): (text: string) => void;
  /** Ends the progress: once the work is done, before the closing lines. */
  finish(): void;
}

/** The progress of `replay`, `backtest` or `report`; `DEPOT_WATCH_PROGRESS_SECONDS` as for scan. */
export function workVoice(
  label: string,
  loudness: Loudness,
  stream: ProgressStream = process.stderr,
  env: Record<string, string | undefined> = process.env,
): WorkVoice {
  if (loudness === 'quiet') return { above: (w) => w, finish: () => {} };
  const every = Number(env.DEPOT_WATCH_PROGRESS_SECONDS);
  const progress = new WorkProgress({
    label,
    stream,
    onlyWhenLong: true,
    ...(every > 0 ? { everyMs: every * 1000 } : {}),
  });
  return { progress, above: (w) => progress.above(w), finish: () => progress.finish() };
}
