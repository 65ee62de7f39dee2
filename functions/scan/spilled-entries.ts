import { EntryTable } from '../core/fleet/entry-table.ts';
import { SpilledTexts } from './spilled-texts.ts';

/**
 * A per-connector table of the attribution record kept in a temp file, each entry as its JSON
 * text: an entry is parsed when read and written when set, so a depot's table is never all in
 * memory. A commit writes the texts as they are.
 */
export class SpilledEntries<T> extends EntryTable<T> {
  constructor(readonly texts = new SpilledTexts()) {
    super();
  }

  get(key: string): T | undefined {
    const text = this.texts.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  set(key: string, value: T): void {
    this.texts.set(key, JSON.stringify(value));
  }

  delete(key: string): void {
    this.texts.delete(key);
  }

  keys(): Iterable<string> {
    return this.texts.keys();
  }

  get size(): number {
    return this.texts.size;
  }

  /** The whole table as a plain object, for `JSON.stringify`; commits write it entry by entry. */
  toJSON(): Record<string, T> {
    const all: Record<string, T> = {};
    for (const [key, text] of this.texts.entries()) all[key] = JSON.parse(text) as T;
    return all;
  }

  close(): void {
    this.texts.close();
  }
}
