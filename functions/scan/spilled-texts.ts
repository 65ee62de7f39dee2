import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/**
 * Texts by key, kept in a temp file rather than in memory: a run's working copy of the
 * records it is not working on right now. A depot's records grow with its connectors; what
 * the run holds of each is its place in the file. The file is removed as soon as it is open
 * (where the system allows), so a run that dies leaves nothing behind.
 */
export class SpilledTexts {
  readonly #fd: number;
  readonly #folder: string;
  /**
   * Each key's slot; a slot's text starts at `#at[slot]` in the file and is `#bytes[slot]`
   * bytes long. Numbers in typed arrays rather than an object per key: a depot's connectors
   * each have a key in several of these.
   */
  readonly #slots = new Map<string, number>();
  #at = new Float64Array(64);
  #bytes = new Float64Array(64);
  #used = 0;
  #end = 0;
  #closed = false;

  constructor() {
    this.#folder = mkdtempSync(join(tmpdir(), 'depot-watch-'));
    this.#fd = openSync(join(this.#folder, 'records'), 'w+');
    try {
      rmSync(this.#folder, { recursive: true });
    } catch {
      // Not while open on this system: removed at `close`.
    }
    openTexts++;
  }

  get size(): number {
    return this.#slots.size;
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** The keys, in the order they were first set. */
  keys(): IterableIterator<string> {
    return this.#slots.keys();
  }

  /** Forgets a key's text (its bytes stay in the file until it is closed). */
  delete(key: string): void {
    this.#slots.delete(key);
  }

  get(key: string): string | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    const bytes = this.#bytes[slot] as number;
    const buffer = Buffer.allocUnsafe(bytes);
    readSync(this.#fd, buffer, 0, bytes, this.#at[slot] as number);
    return buffer.toString('utf8');
  }

  /** Keeps a key's text; a text set again is written anew (the file only grows during a run). */
  set(key: string, text: string): void {
    this.write(key, [text]);
  }

  /** Keeps a key's text as it comes, piece after piece, so that it is never whole in memory. */
  write(key: string, pieces: Iterable<string>): void {
    const writer = this.writer(key);
    for (const piece of pieces) writer.add(piece);
    writer.end();
  }

  /** `write`, for pieces that arrive one call at a time. Nothing else is written meanwhile. */
  writer(key: string): { add(piece: string): void; end(): void } {
    const at = this.#end;
    return {
      add: (piece) => {
        const bytes = Buffer.from(piece, 'utf8');
        writeSync(this.#fd, bytes, 0, bytes.length, this.#end);
        this.#end += bytes.length;
      },
      end: () => {
        const slot = this.#slotOf(key);
        this.#at[slot] = at;
        this.#bytes[slot] = this.#end - at;
      },
    };
  }

  #slotOf(key: string): number {
    const known = this.#slots.get(key);
    if (known !== undefined) return known;
    if (this.#used === this.#at.length) {
      const at = new Float64Array(this.#used * 2);
      const bytes = new Float64Array(this.#used * 2);
      at.set(this.#at);
      bytes.set(this.#bytes);
      this.#at = at;
      this.#bytes = bytes;
    }
    const slot = this.#used++;
    this.#slots.set(sharedKey(key), slot);
    return slot;
  }

  /** A key's text in pieces of about `chars` characters, never the whole of it at once. */
  *pieces(key: string, chars: number): Generator<string> {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    const place = { at: this.#at[slot] as number, bytes: this.#bytes[slot] as number };
    // UTF-8 read in slices: the decoder holds back a character cut in two until its next slice.
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(Math.min(chars, place.bytes));
    for (let done = 0; done < place.bytes; ) {
      const read = readSync(
        this.#fd,
        buffer,
        0,
        Math.min(buffer.length, place.bytes - done),
        place.at + done,
      );
      done += read;
      yield decoder.write(buffer.subarray(0, read));
    }
    yield decoder.end();
  }

  /** Every key and its text, in the order the keys were first set. */
  *entries(): Generator<[string, string]> {
    for (const key of this.#slots.keys()) yield [key, this.get(key) as string];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
    rmSync(this.#folder, { recursive: true, force: true });
    if (--openTexts === 0) sharedKeys.clear();
  }
}

/**
 * Keys shared by the texts open at once, each kept once: a connector's key is in its cursor's,
 * incident record's, KPI row's and attribution tables' texts. Forgotten when none is open.
 */
const sharedKeys = new Map<string, string>();
let openTexts = 0;

/** The one copy of a key that the open texts keep, for others that hold many of them too. */
export function sharedKey(key: string): string {
  const known = sharedKeys.get(key);
  if (known !== undefined) return known;
  sharedKeys.set(key, key);
  return key;
}
