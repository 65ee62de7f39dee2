/** Where progress is drawn: stderr, or a fake in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  /** A terminal gets one line redrawn in place; anything else gets a line now and then. */
  isTTY?: boolean;
  /** The terminal's width: a longer line would wrap, and `\r` only returns to its last row. */
  columns?: number;
}

/** How a progress line is drawn; the counts are the caller's. */
export interface ProgressLineOptions {
  /** The command the lines are about: `scan`, `replay`. */
  label: string;
  stream: ProgressStream;
  /** How often a line is written when the stream is no terminal. Default: 10 s. */
  everyMs?: number;
  /** Least time between redraws on a terminal. Default: 200 ms (5 a second). */
  redrawMs?: number;
  now?: () => number;
  /**
   * Off a terminal, write nothing for work done before the first periodic line: a replay of a
   * few files then leaves stderr to its findings and errors. Default: false (a scan always
   * ends with a line saying how it went).
   */
  onlyWhenLong?: boolean;
}

/** Back to the start of the line and erase it. */
const CLEAR_LINE = '\r\u001b[2K';

/**
 * One line of progress on stderr, so stdout stays what scripts parse. On a terminal: redrawn in
 * place, at most 5 times a second, cleared at the end. Elsewhere (CI logs, files): a line every
 * 10 s and a final one. Redraws come from a timer, never from events, so a burst of 10,000
 * reports costs no more than a quiet spell.
 */
export class ProgressLine {
  readonly #options: ProgressLineOptions;
  readonly #status: () => string;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly tty: boolean;
  readonly now: () => number;
  readonly startedAt: number;
  /** The line on screen now (terminal only); empty when none is. */
  #drawn = '';
  #finished = false;
  /** Lines written off a terminal so far. */
  #written = 0;

  /** `status` says how far the work has got, without the label: `120/400 connectors, 41 s`. */
  constructor(options: ProgressLineOptions, status: () => string) {
    this.#options = options;
    this.#status = status;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.tty = options.stream.isTTY === true;
    this.#timer = setInterval(
      () => (this.tty ? this.#redraw() : this.#writeLine(`${options.label}: ${status()}`)),
      this.tty ? (options.redrawMs ?? 200) : (options.everyMs ?? 10_000),
    );
    // Progress never keeps the process alive: the work does.
    this.#timer.unref?.();
  }

  /**
   * Says at once that the work moved to a step that may hold the event loop (a synchronous
   * engine, say), during which no timer can draw: redrawn on a terminal, a line elsewhere.
   */
  drawNow(): void {
    if (this.#finished) return;
    if (this.tty) this.#redraw();
    else if (this.#written > 0 || !this.#options.onlyWhenLong)
      this.#writeLine(`${this.#options.label}: ${this.#status()}`);
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

  /**
   * Stops the timer; clears the line on a terminal, writes `final` elsewhere (none when the
   * work never began: a command that failed first says why on its own, in one line).
   */
  finish(final: string | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    if (this.tty) {
      if (this.#drawn) this.#options.stream.write(CLEAR_LINE);
      this.#drawn = '';
      return;
    }
    if (final === undefined || (this.#options.onlyWhenLong && this.#written === 0)) return;
    this.#writeLine(`${this.#options.label} finished: ${final}`);
  }

  /** `0.4 s`, `41 s`, `2 min 5 s` since the line began. */
  elapsed(): string {
    return seconds(this.now() - this.startedAt);
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
    this.#written++;
    this.#options.stream.write(`${line}\n`);
  }
}

/** `1,234`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `0.4 s`, `41 s`, `2 min 5 s`. */
export function seconds(ms: number): string {
  if (ms < 1_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
