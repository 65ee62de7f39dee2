import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { grown, holdKeys, releaseKeys } from './shared-keys.ts';

/** The largest offset a `Uint32Array` holds. */
const MAX_UINT32 = 0xffff_ffff;

/** The largest text read into the buffer a `SpilledTexts` keeps; larger ones get their own. */
const SCRATCH_MAX = 64 * 1024;

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
   * Each key's slot plus one (0: none), by the key's number among the shared keys; a slot's
   * text starts at `#at[slot]` in the file and is `#bytes[slot]` bytes long, and `#keyOf[slot]`
   * is its key's number. Numbers in typed arrays rather than a map or an object per key: a
   * depot's connectors each have a key in several of these.
   */
  readonly #keys = holdKeys();
  #slotOf = new Int32Array(64);
  #keyOf = new Int32Array(64);
  /** Offsets in 4 bytes each until the file passes 4 GiB, then in 8. */
  #at: Uint32Array | Float64Array = new Uint32Array(64);
  #bytes = new Uint32Array(64);
  #used = 0;
  #size = 0;
  #end = 0;
  #closed = false;
  #scratch = Buffer.allocUnsafe(4_096);

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
    return this.#size;
  }

  has(key: string): boolean {
    return this.#slot(key) >= 0;
  }

  /** The keys, in the order they were first set. */
  *keys(): Generator<string> {
    for (let slot = 0; slot < this.#used; slot++) {
      const id = this.#keyOf[slot] as number;
      if (this.#slotOf[id] === slot + 1) yield this.#keys.keyAt(id);
    }
  }

  /** Forgets a key's text (its bytes stay in the file until it is closed). */
  delete(key: string): void {
    if (this.#slot(key) < 0) return;
    this.#slotOf[this.#keys.idOf(key) as number] = 0;
    this.#size--;
  }

  get(key: string): string | undefined {
    const slot = this.#slot(key);
    if (slot < 0) return undefined;
    const bytes = this.#bytes[slot] as number;
    // Most texts are a few kilobytes: read into one buffer kept for them, not a new one each.
    if (bytes > this.#scratch.length && bytes <= SCRATCH_MAX)
      this.#scratch = Buffer.allocUnsafe(
        Math.min(SCRATCH_MAX, Math.max(bytes, this.#scratch.length * 2)),
      );
    const buffer = bytes <= this.#scratch.length ? this.#scratch : Buffer.allocUnsafe(bytes);
    readSync(this.#fd, buffer, 0, bytes, this.#at[slot] as number);
    return buffer.toString('utf8', 0, bytes);
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
        // Written as text: no buffer of its own for each piece.
        this.#end += writeSync(this.#fd, piece, this.#end, 'utf8');
      },
      end: () => {
        if (at > MAX_UINT32 && this.#at instanceof Uint32Array)
          this.#at = Float64Array.from(this.#at);
        const slot = this.#slotFor(key);
        this.#at[slot] = at;
        this.#bytes[slot] = this.#end - at;
      },
    };
  }

  /** A key's slot, or -1 when it has none. */
  #slot(key: string): number {
    const id = this.#keys.idOf(key);
    return id === undefined || id >= this.#slotOf.length ? -1 : (this.#slotOf[id] as number) - 1;
  }

  #slotFor(key: string): number {
    const known = this.#slot(key);
    if (known >= 0) return known;
    const id = this.#keys.add(key);
    if (id >= this.#slotOf.length) this.#slotOf = grown(this.#slotOf, id + 1);
    if (this.#used === this.#at.length) {
      this.#keyOf = grown(this.#keyOf, this.#used + 1);
      this.#at = grown(this.#at, this.#used + 1);
      this.#bytes = grown(this.#bytes, this.#used + 1);
    }
    const slot = this.#used++;
    this.#keyOf[slot] = id;
    this.#slotOf[id] = slot + 1;
    this.#size++;
    return slot;
  }

  /** A key's text in pieces of about `chars` characters, never the whole of it at once. */
  *pieces(key: string, chars: number): Generator<string> {
    const slot = this.#slot(key);
    if (slot < 0) return;
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
    for (const key of this.keys()) yield [key, this.get(key) as string];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
    rmSync(this.#folder, { recursive: true, force: true });
    releaseKeys();
  }
}
