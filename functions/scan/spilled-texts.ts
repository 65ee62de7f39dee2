import { holdKeys, releaseKeys } from './shared-keys.ts';
import { TempTextFile, TextPlaces } from './temp-text-file.ts';
import { grown } from './typed-arrays.ts';

/**
 * Texts by key, kept in a temp file rather than in memory: a run's working copy of the
 * records it is not working on right now. A depot's records grow with its connectors; what
 * the run holds of each is its place in the file.
 */
export class SpilledTexts {
  readonly #file = new TempTextFile();
  /**
   * Each key's slot plus one (0: none), by the key's number among the shared keys; a slot's
   * text is at `#places` in the file, and `#keyOf[slot]` is its key's number. Numbers in typed arrays rather than a map or an object per key: a
   * depot's connectors each have a key in several of these.
   */
  readonly #keys = holdKeys();
  #slotOf = new Int32Array(64);
  #keyOf = new Int32Array(64);
  readonly #places = new TextPlaces(64);
  #used = 0;
  #size = 0;

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
    return slot < 0 ? undefined : this.#file.read(this.#places.at(slot), this.#places.bytes(slot));
  }

  /** Keeps a key's text; a text set again is written anew (the file only grows during a run). */
  set(key: string, text: string): void {
    this.write(key, [text]);
  }

  /** Keeps a key's text as it comes, piece after piece, so that it is never whole in memory. */
  write(key: string, pieces: Iterable<string | Uint8Array>): void {
    const writer = this.writer(key);
    for (const piece of pieces) writer.add(piece);
    writer.end();
  }

  /** `write`, for pieces that arrive one call at a time. Nothing else is written meanwhile. */
  writer(key: string): { add(piece: string | Uint8Array): void; end(): void } {
    const writer = this.#file.writer();
    return {
      add: writer.add,
      end: () => {
        const { at, bytes } = writer.end();
        this.#places.set(this.#slotFor(key), at, bytes);
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
    if (this.#used === this.#keyOf.length) this.#keyOf = grown(this.#keyOf, this.#used + 1);
    const slot = this.#used++;
    this.#keyOf[slot] = id;
    this.#slotOf[id] = slot + 1;
    this.#size++;
    return slot;
  }

  /** A key's text in pieces of about `chars` characters, never the whole of it at once. */
  *pieces(key: string, chars: number): Generator<string> {
    const slot = this.#slot(key);
    if (slot >= 0) yield* this.#file.pieces(this.#places.at(slot), this.#places.bytes(slot), chars);
  }

  /** A key's text as UTF-8 bytes, in slices of at most `size`, each valid until the next. */
  *bytes(key: string, size: number): Generator<Uint8Array> {
    const slot = this.#slot(key);
    if (slot >= 0) yield* this.#file.bytes(this.#places.at(slot), this.#places.bytes(slot), size);
  }

  /** Every key and its text, in the order the keys were first set. */
  *entries(): Generator<[string, string]> {
    for (const key of this.keys()) yield [key, this.get(key) as string];
  }

  close(): void {
    if (this.#file.close()) releaseKeys();
  }
}
