import { ConfigError } from '../config/config.ts';
import type { Log, RetryWait, ScanProgress } from '../scan/ports.ts';
import type { ConnectorResult } from '../scan/summary.ts';
import { consoleLog, type LogLevel } from './console-log.ts';
import {
  count,
  ProgressLine,
  type ProgressLineOptions,
  type ProgressStream,
  seconds,
} from './progress-line.ts';

/** Options of a `ProgressReporter`. */
export interface ProgressOptions extends ProgressLineOptions {
  /** Each retry is logged here at info (shown with --verbose). Default: none. */
  log?: Log;
}

/**
 * A scan's progress for a person: connectors done of all, reports read, notices sent, elapsed,
 * and the current retry wait counting down. Drawn by a `ProgressLine` on stderr.
 */
export class ProgressReporter implements ScanProgress {
  readonly #log: Log | undefined;
  readonly #line: ProgressLine;
  /** Undefined until the scan starts: settings and silences are read before it. */
  #total: number | undefined;
  #done = 0;
  #failed = 0;
  #reports = 0;
  #notices = 0;
  #wait: { wait: RetryWait; until: number } | undefined;

  constructor(options: ProgressOptions) {
    this.#log = options.log;
    this.#line = new ProgressLine(options, () => this.#status());
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
    this.#wait = { wait, until: this.#line.now() + wait.waitMs };
    this.#log?.info('request failed, retrying', {
      where: wait.where,
      retry: `${wait.attempt}/${wait.of - 1}`,
      waitMs: wait.waitMs,
      reason: wait.reason,
    });
  }

  /** Wraps a writer so its text lands above the progress line rather than through it. */
  above(write: (text: string) => void): (text: string) => void {
    return this.#line.above(write);
  }

  /**
   * Stops the timer; clears the line on a terminal, writes the final line elsewhere. The run's
   * own count of notices, when given, replaces the connectors' sum: the fleet-wide step after
   * the last connector sends some too, and the final line must agree with the summary.
   */
  finish(notices?: number): void {
    if (notices !== undefined) this.#notices = notices;
    this.#wait = undefined;
    this.#line.finish(
      this.#total === undefined ? undefined : `${this.#counts()} in ${this.#line.elapsed()}`,
    );
  }

  /** `120/400 connectors, 3,412 reports, 41 s; waiting 8 s before retry 3/4 of HPC-004/1: …` */
  #status(): string {
    const status = `${this.#counts()}, ${this.#line.elapsed()}`;
    const wait = this.#wait;
    const left = wait ? wait.until - this.#line.now() : 0;
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
  /** Ends the progress once the work is done, before the summary; `notices` as the run counted them. */
  finish(notices?: number): void;
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
    finish: (notices) => progress.finish(notices),
  };
}
