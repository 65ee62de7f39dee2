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
  /** Each key's text: where it starts in the file, and its length in bytes. */
  readonly #places = new Map<string, { at: number; bytes: number }>();
  #end = 0;

  constructor() {
    this.#folder = mkdtempSync(join(tmpdir(), 'depot-watch-'));
    this.#fd = openSync(join(this.#folder, 'records'), 'w+');
    try {
      rmSync(this.#folder, { recursive: true });
    } catch {
      // Not while open on this system: removed at `close`.
    }
  }

  get size(): number {
    return this.#places.size;
  }

  has(key: string): boolean {
    return this.#places.has(key);
  }

  /** The keys, in the order they were first set. */
  keys(): IterableIterator<string> {
    return this.#places.keys();
  }

  /** Forgets a key's text (its bytes stay in the file until it is closed). */
  delete(key: string): void {
    this.#places.delete(key);
  }

  get(key: string): string | undefined {
    const place = this.#places.get(key);
    if (!place) return undefined;
    const buffer = Buffer.allocUnsafe(place.bytes);
    readSync(this.#fd, buffer, 0, place.bytes, place.at);
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
        this.#places.set(key, { at, bytes: this.#end - at });
      },
    };
  }

  /** A key's text in pieces of about `chars` characters, never the whole of it at once. */
  *pieces(key: string, chars: number): Generator<string> {
    const place = this.#places.get(key);
    if (!place) return;
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
    for (const key of this.#places.keys()) yield [key, this.get(key) as string];
  }

  close(): void {
    closeSync(this.#fd);
    rmSync(this.#folder, { recursive: true, force: true });
  }
}
