import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { grown } from './typed-arrays.ts';

/** The largest text read into the buffer a file keeps; larger ones get their own. */
const SCRATCH_MAX = 64 * 1024;
/** The largest offset a `Uint32Array` holds. */
const MAX_UINT32 = 0xffff_ffff;

/**
 * A temp file a run appends texts to and reads back by place. It is removed as soon as it is
 * open (where the system allows), so a run that dies leaves nothing behind.
 */
export class TempTextFile {
  readonly #fd: number;
  readonly #folder: string;
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

  /**
   * Appends a text piece after piece; `end` says where it went (its first byte, and its length
   * in bytes). Nothing else is written meanwhile.
   */
  writer(): { add(piece: string | Uint8Array): void; end(): { at: number; bytes: number } } {
    const at = this.#end;
    return {
      // Written as text: no buffer of its own for each piece.
      add: (piece) => {
        this.#end +=
          typeof piece === 'string'
            ? writeSync(this.#fd, piece, this.#end, 'utf8')
            : writeSync(this.#fd, piece, 0, piece.length, this.#end);
      },
      end: () => ({ at, bytes: this.#end - at }),
    };
  }

  read(at: number, bytes: number): string {
    // Most texts are a few kilobytes: read into one buffer kept for them, not a new one each.
    if (bytes > this.#scratch.length && bytes <= SCRATCH_MAX)
      this.#scratch = Buffer.allocUnsafe(
        Math.min(SCRATCH_MAX, Math.max(bytes, this.#scratch.length * 2)),
      );
    const buffer = bytes <= this.#scratch.length ? this.#scratch : Buffer.allocUnsafe(bytes);
    readSync(this.#fd, buffer, 0, bytes, at);
    return buffer.toString('utf8', 0, bytes);
  }

  /** A text in pieces of about `chars` characters, never the whole of it at once. */
  *pieces(at: number, bytes: number, chars: number): Generator<string> {
    // UTF-8 read in slices: the decoder holds back a character cut in two until its next slice.
    const decoder = new StringDecoder('utf8');
    for (const slice of this.bytes(at, bytes, chars)) yield decoder.write(slice);
    yield decoder.end();
  }

  /**
   * A text's UTF-8 bytes in slices of at most `size`, read into one buffer: each slice is valid
   * until the next is asked for. For copying a text elsewhere without making a string of it.
   */
  *bytes(at: number, bytes: number, size: number): Generator<Uint8Array> {
    const buffer = Buffer.allocUnsafe(Math.min(size, bytes));
    for (let done = 0; done < bytes; ) {
      const read = readSync(this.#fd, buffer, 0, Math.min(buffer.length, bytes - done), at + done);
      done += read;
      yield buffer.subarray(0, read);
    }
  }

  /** Whether it was open until now. */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    closeSync(this.#fd);
    rmSync(this.#folder, { recursive: true, force: true });
    return true;
  }
}

/**
 * Where each slot's text is in a temp file: its first byte, in 4 bytes until the file passes
 * 4 GiB and then in 8, and its length. Typed arrays, not an object per text: a depot's
 * connectors each have a slot in several files.
 */
export class TextPlaces {
  #at: Uint32Array | Float64Array;
  #bytes: Uint32Array;

  constructor(length: number) {
    this.#at = new Uint32Array(length);
    this.#bytes = new Uint32Array(length);
  }

  at(slot: number): number {
    return this.#at[slot] as number;
  }

  bytes(slot: number): number {
    return this.#bytes[slot] as number;
  }

  /** Records a slot's place, making room for it (see `grown`). */
  set(slot: number, at: number, bytes: number): void {
    if (slot >= this.#bytes.length) {
      this.#at = grown(this.#at, slot + 1);
      this.#bytes = grown(this.#bytes, slot + 1);
    }
    if (at > MAX_UINT32 && this.#at instanceof Uint32Array) this.#at = Float64Array.from(this.#at);
    this.#at[slot] = at;
    this.#bytes[slot] = bytes;
  }
}
