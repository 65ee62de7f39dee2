import type { OutboxEntry } from './state-document.ts';
import { TempTextFile, TextPlaces } from './temp-text-file.ts';

/**
 * A run's outbox, each entry as its JSON text in a temp file: the first run of a large depot
 * decides thousands of notices, which wait there for the commit rather than in memory.
 */
export class OutboxEntries implements Iterable<OutboxEntry> {
  readonly #file = new TempTextFile();
  readonly #places = new TextPlaces(16);
  #length = 0;

  static of(entries: Iterable<OutboxEntry>): OutboxEntries {
    const kept = new OutboxEntries();
    for (const entry of entries) kept.add(entry);
    return kept;
  }

  get length(): number {
    return this.#length;
  }

  add(entry: OutboxEntry): void {
    const writer = this.#file.writer();
    writer.add(JSON.stringify(entry));
    const { at, bytes } = writer.end();
    this.#places.set(this.#length++, at, bytes);
  }

  [Symbol.iterator](): Generator<OutboxEntry> {
    return this.from(0);
  }

  /** The entries from the `first`th on, in the order they were added, parsed one at a time. */
  *from(first: number): Generator<OutboxEntry> {
    for (let i = first; i < this.#length; i++) yield JSON.parse(this.#text(i)) as OutboxEntry;
  }

  /** Each entry's JSON text, as it was written. */
  *texts(): Generator<string> {
    for (let i = 0; i < this.#length; i++) yield this.#text(i);
  }

  close(): void {
    this.#file.close();
  }

  #text(i: number): string {
    return this.#file.read(this.#places.at(i), this.#places.bytes(i));
  }
}
