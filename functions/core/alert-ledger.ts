/**
 * The fingerprints already published for one connector, with when. A finding whose
 * fingerprint is here is not alerted again, across retries, overlapping windows and re-runs.
 */
export class AlertLedger {
  readonly #published: Map<string, string>;

  constructor(entries: Record<string, string> = {}) {
    this.#published = new Map(Object.entries(entries));
  }

  /** Whether this fault was already alerted. */
  has(fingerprint: string): boolean {
    return this.#published.has(fingerprint);
  }

  /** Records fingerprints that the alert channel accepted. */
  record(fingerprints: Iterable<string>, at: string): void {
    for (const fingerprint of fingerprints) this.#published.set(fingerprint, at);
  }

  /** Forgets entries older than the retention, so the ledger does not grow forever. */
  prune(olderThan: string): void {
    for (const [fingerprint, at] of this.#published) {
      if (at < olderThan) this.#published.delete(fingerprint);
    }
  }

  /** The ledger as stored. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#published);
  }
}
