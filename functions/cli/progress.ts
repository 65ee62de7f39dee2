import { ConfigError } from '../config/config.ts';
import type { Log, RetryWait, ScanProgress } from '../scan/ports.ts';
import type { ConnectorResult } from '../scan/summary.ts';
import { consoleLog, type LogLevel } from './console-log.ts';

/** Where progress is drawn: stderr, or a fake in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  /** A terminal gets one line redrawn in place; anything else gets a line now and then. */
  isTTY?: boolean;
  /** The terminal's width: a longer line would wrap, and `\r` only returns to its last row. */
  columns?: number;
}

/** Options of a `ProgressReporter`. */
export interface ProgressOptions {
  /** The command the lines are about: `scan`, `demo`. */
  label: string;
  stream: ProgressStream;
  /** Each retry is logged here at info (shown with --verbose). Default: none. */
  log?: Log;
  /** How often a line is written when the stream is no terminal. Default: 10 s. */
  everyMs?: number;
  /** Least time between redraws on a terminal. Default: 200 ms (5 a second). */
  redrawMs?: number;
  now?: () => number;
}

/** Back to the start of the line and erase it. */
const CLEAR_LINE = '\r\u001b[2K';

/**
 * A scan's progress for a person, on stderr so stdout stays the alerts and the summary that
 * scripts parse. On a terminal: one line redrawn in place, at most 5 times a second, cleared at
 * the end. Elsewhere (CI logs, files): a short line every 10 s and a final one. Redraws come
 * from a timer, never from events, so a burst of 10,000 reports costs no more than a quiet spell.
 */
export class ProgressReporter implements ScanProgress {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #tty: boolean;
  readonly #timer: ReturnType<typeof setInterval>;
  /** Undefined until the scan starts: settings and silences are read before it. */
  #total: number | undefined;
  #done = 0;
  #failed = 0;
  #reports = 0;
  #notices = 0;
  #wait: { wait: RetryWait; until: number } | undefined;
  /** The line on screen now (terminal only); empty when none is. */
  #drawn = '';
  #finished = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#tty = options.stream.isTTY === true;
    this.#timer = setInterval(
      () => (this.#tty ? this.#redraw() : this.#writeLine(`${options.label}: ${this.#status()}`)),
      this.#tty ? (options.redrawMs ?? 200) : (options.everyMs ?? 10_000),
    );
    // Progress never keeps the process alive: the work does.
    this.#timer.unref?.();
  }

  /** The run begins with this many connectors. */
  started(connectors: number): void {
    this.#total = connectors;
  }

  /** Counts a page's reports. */
  reportsRead(count: number): void {
    this.#reports += count;
  }

  /** Counts a finished connector, its notices, and whether it failed. */
  connectorDone(result: ConnectorResult): void {
    this.#done++;
    if (result.status !== 'ok') this.#failed++;
    this.#notices += result.alerted;
    if (this.#wait?.wait.where === `${result.chargerId}/${result.connectorId}`)
      this.#wait = undefined;
  }

  /** Shows the wait until it is over, and logs it with its reason. */
  retrying(wait: RetryWait): void {
    this.#wait = { wait, until: this.#now() + wait.waitMs };
    this.#options.log?.info('request failed, retrying', {
      where: wait.where,
      retry: `${wait.attempt}/${wait.of - 1}`,
      waitMs: wait.waitMs,
      reason: wait.reason,
    });
  }

  /**
   * Wraps a writer (stdout, the log) so its text lands above the progress line rather than
   * through it: both streams are usually the same terminal.
   */
  above(write: (text: string) => void): (text: string) => void {
    return (text) => {
      if (this.#drawn) {
        this.#options.stream.write(CLEAR_LINE);
        // Redrawn on the next tick, so the throttle holds however much is written.
        this.#drawn = '';
      }
      write(text);
    };
  }

  /** Stops the timer; clears the line on a terminal, writes the final line elsewhere. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    if (this.#tty) {
      if (this.#drawn) this.#options.stream.write(CLEAR_LINE);
      this.#drawn = '';
      return;
    }
    // A command that failed before its scan began says why on its own, in one line.
    if (this.#total === undefined) return;
    this.#wait = undefined;
    this.#writeLine(`${this.#options.label} finished: ${this.#counts()} in ${this.#elapsed()}`);
  }

  #redraw(): void {
    let line = `${this.#options.label}: ${this.#status()}`;
    const width = this.#options.stream.columns;
    if (width !== undefined && width > 1 && line.length >= width) line = line.slice(0, width - 1);
    if (line === this.#drawn) return;
    this.#options.stream.write(`${CLEAR_LINE}${line}`);
    this.#drawn = line;
  }

  #writeLine(line: string): void {
    this.#options.stream.write(`${line}\n`);
  }

  /** `120/400 connectors, 3,412 reports, 41 s; waiting 8 s before retry 3/4 of HPC-004/1: …` */
  #status(): string {
    const status = `${this.#counts()}, ${this.#elapsed()}`;
    const wait = this.#wait;
    const left = wait ? wait.until - this.#now() : 0;
    if (!wait || left <= 0) return status;
    const { where, attempt, of, reason } = wait.wait;
    // Counts down in whole seconds rounded up: "waiting 0 s" while still waiting would mislead.
    const waiting = left < 1_000 ? seconds(left) : `${Math.ceil(left / 1000)} s`;
    return `${status}; waiting ${waiting} before retry ${attempt}/${of - 1} of ${where}: ${reason}`;
  }

  #counts(): string {
    if (this.#total === undefined) return 'starting';
    const failed = this.#failed > 0 ? ` (${count(this.#failed)} failed)` : '';
    const notices =
      this.#notices > 0 ? `, ${count(this.#notices)} notice${this.#notices === 1 ? '' : 's'}` : '';
    return `${count(this.#done)}/${count(this.#total)} connectors${failed}, ${count(this.#reports)} reports${notices}`;
  }

  #elapsed(): string {
    return seconds(this.#now() - this.#startedAt);
  }
}

/** How much a long command says on stderr. */
export type Loudness = 'quiet' | 'normal' | 'verbose';

/** `--quiet` and `--verbose` as one setting; both at once is a usage error. */
export function loudnessOf(flags: { quiet?: boolean; verbose?: boolean }): Loudness {
  if (flags.quiet && flags.verbose)
    throw new ConfigError('--quiet and --verbose cannot go together; choose one');
  return flags.quiet ? 'quiet' : flags.verbose ? 'verbose' : 'normal';
}

/** What a scanning command says on stderr: its log lines and, unless quiet, its progress. */
export interface ScanVoice {
  log: Log;
  /** Absent with --quiet. */
  progress?: ProgressReporter;
  /** Wraps a stdout writer so its text never lands inside the progress line. */
  above(write: (text: string) => void): (text: string) => void;
  /** Ends the progress: call it once the work is done, before the summary. */
  finish(): void;
}

/**
 * The log and progress of `scan` or `demo`: --quiet logs errors only and shows no progress,
 * --verbose logs everything (each retry too). `DEPOT_WATCH_PROGRESS_SECONDS` sets how often a
 * progress line is written when stderr is no terminal (default 10).
 */
export function scanVoice(
  label: string,
  loudness: Loudness,
  normalLevel: LogLevel,
  stream: ProgressStream = process.stderr,
  env: Record<string, string | undefined> = process.env,
): ScanVoice {
  const level = loudness === 'quiet' ? 'error' : loudness === 'verbose' ? 'info' : normalLevel;
  const write = (text: string) => {
    stream.write(text);
  };
  if (loudness === 'quiet') {
    return { log: consoleLog(level, write), above: (w) => w, finish: () => {} };
  }
  const every = Number(env.DEPOT_WATCH_PROGRESS_SECONDS);
  const log: Log = {
    info: (message, fields) => lines.info(message, fields),
    warn: (message, fields) => lines.warn(message, fields),
    error: (message, fields) => lines.error(message, fields),
  };
  const progress = new ProgressReporter({
    label,
    stream,
    log,
    ...(every > 0 ? { everyMs: every * 1000 } : {}),
  });
  const lines = consoleLog(level, progress.above(write));
  return {
    log,
    progress,
    above: (w) => progress.above(w),
    finish: () => progress.finish(),
  };
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `0.4 s`, `41 s`, `2 min 5 s`. */
function seconds(ms: number): string {
  if (ms < 1_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
