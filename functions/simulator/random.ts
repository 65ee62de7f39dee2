/**
 * A small deterministic random source: the same seed and keys always give the same numbers,
 * so a simulated session looks the same on every request and every run.
 */
export class SeededRandom {
  #state: number;

  constructor(...keys: (number | string)[]) {
    let h = 0x811c9dc5;
    for (const key of keys) {
      for (const ch of String(key)) {
        h ^= ch.charCodeAt(0);
        h = Math.imul(h, 0x01000193);
      }
      h ^= 0xff;
      h = Math.imul(h, 0x01000193);
    }
    this.#state = h >>> 0;
  }

  /** A number in [0, 1) (mulberry32). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }
}
