import { grown } from './typed-arrays.ts';

/**
 * Connector keys numbered once for everything a run keeps by connector: a connector's key is in
 * its cursor's, incident record's, KPI row's and attribution tables' texts and in the sets of
 * what the run touched. One map of keys serves them all; each of them holds numbers.
 */
export class SharedKeys {
  readonly #keys: string[] = [];
  /**
   * Each key's number at a slot found from its hash (open addressing, -1: empty), kept under
   * half full: a typed array of a few bytes a key where a `Map` of a depot's keys took 40.
   */
  #table = new Int32Array(1_024).fill(-1);

  /** A key's number, or undefined when it has none yet. */
  idOf(key: string): number | undefined {
    const id = this.#table[this.#slotOf(key)] as number;
    return id < 0 ? undefined : id;
  }

  /** A key's number, given one if it has none. */
  add(key: string): number {
    const slot = this.#slotOf(key);
    const known = this.#table[slot] as number;
    if (known >= 0) return known;
    const id = this.#keys.length;
    this.#keys.push(key);
    this.#table[slot] = id;
    if (this.#keys.length * 2 > this.#table.length) this.#rehash();
    return id;
  }

  keyAt(id: number): string {
    return this.#keys[id] as string;
  }

  /** The slot that holds `key`'s number, or the empty one where it would go. */
  #slotOf(key: string): number {
    const mask = this.#table.length - 1;
    for (let slot = hashOf(key) & mask; ; slot = (slot + 1) & mask) {
      const id = this.#table[slot] as number;
      if (id < 0 || this.#keys[id] === key) return slot;
    }
  }

  #rehash(): void {
    this.#table = new Int32Array(this.#table.length * 2).fill(-1);
    for (let id = 0; id < this.#keys.length; id++)
      this.#table[this.#slotOf(this.#keys[id] as string)] = id;
  }
}

/** FNV-1a over a key's UTF-16 code units. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The keys of the runs open in this process. Replaced, not cleared, once nothing holds it open:
 * whatever still keeps numbers of the old one keeps the old one with them.
 */
let current = new SharedKeys();
let holders = 0;

/** The keys shared now, held until `releaseKeys`. */
export function holdKeys(): SharedKeys {
  holders++;
  return current;
}

export function releaseKeys(): void {
  if (--holders === 0) current = new SharedKeys();
}

/** A set of keys held as numbers, in the order they were added. */
export class KeySet implements Iterable<string> {
  readonly #keys = current;
  #member = new Uint8Array(64);
  #order = new Int32Array(64);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(key: string): boolean {
    const id = this.#keys.idOf(key);
    return id !== undefined && this.#member[id] === 1;
  }

  add(key: string): this {
    const id = this.#keys.add(key);
    if (id >= this.#member.length) this.#member = grown(this.#member, id + 1);
    if (this.#member[id] === 1) return this;
    if (this.#size === this.#order.length) this.#order = grown(this.#order, this.#size + 1);
    this.#member[id] = 1;
    this.#order[this.#size++] = id;
    return this;
  }

  *[Symbol.iterator](): Generator<string> {
    for (let i = 0; i < this.#size; i++) yield this.#keys.keyAt(this.#order[i] as number);
  }
}
