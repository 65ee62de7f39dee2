/**
 * One of the attribution record's per-connector tables, worked on an entry at a time: a plain
 * object in the record as stored and in the backtest, or entries the scan keeps in a temp file
 * (`SpilledEntries`), so that a depot's tables are never all parsed at once. An entry read is
 * the caller's own only for a table kept outside memory: change it, then `set` it.
 */
export abstract class EntryTable<T> {
  abstract get(key: string): T | undefined;
  abstract set(key: string, value: T): void;
  abstract delete(key: string): void;
  abstract keys(): Iterable<string>;
  abstract get size(): number;
}

/** A per-connector table as a record holds it. */
export type Table<T> = Record<string, T> | EntryTable<T>;

/**
 * A table to work on entry by entry. A plain object is copied first when `copy` is set (the
 * caller's record must stay as it was); a table kept outside memory is a run's own copy and
 * is changed where it is.
 */
export function entriesOf<T>(table: Table<T>, copy = false): EntryTable<T> {
  if (table instanceof EntryTable) return table;
  return new RecordEntries(copy ? { ...table } : table);
}

/** What a record holds once its table was worked on through `entriesOf`. */
export function heldBy<T>(entries: EntryTable<T>): Table<T> {
  return entries instanceof RecordEntries ? (entries.record as Record<string, T>) : entries;
}

/**
 * Reads of a table that is not changed meanwhile, the latest `kept` entries held parsed: for
 * a table kept in a file, whose every read parses its entry.
 */
export function readThrough<T>(table: EntryTable<T>, kept: number): (key: string) => T | undefined {
  if (table instanceof RecordEntries) return (key) => table.get(key);
  const held = new Map<string, T | undefined>();
  return (key) => {
    if (held.has(key)) return held.get(key);
    const value = table.get(key);
    if (held.size >= kept) held.delete(held.keys().next().value as string);
    held.set(key, value);
    return value;
  };
}

class RecordEntries<T> extends EntryTable<T> {
  constructor(readonly record: Record<string, T>) {
    super();
  }

  // Own entries only: vendor ids are data, and `constructor` is a fine connector id.
  get(key: string): T | undefined {
    return Object.hasOwn(this.record, key) ? this.record[key] : undefined;
  }

  set(key: string, value: T): void {
    this.record[key] = value;
  }

  delete(key: string): void {
    delete this.record[key];
  }

  keys(): Iterable<string> {
    return Object.keys(this.record);
  }

  get size(): number {
    return Object.keys(this.record).length;
  }
}
