import { type ConnectorCounts, type ConnectorResult, connectorResult } from './summary.ts';
import { grown } from './typed-arrays.ts';

/** The counts a result keeps, in the order they are packed. */
const COUNTS = [
  'pages',
  'fetched',
  'archived',
  'alreadyArchived',
  'quarantined',
  'findings',
  'alerted',
  'openIncidents',
  'ruleErrors',
] as const satisfies readonly (keyof ConnectorCounts)[];
const STATUSES = ['ok', 'failed', 'skipped'] as const;
const NONE: Readonly<Record<string, number>> = Object.freeze({});

/** What few results have: an error, refused credentials, a depot. */
type Rare = Partial<Pick<ConnectorResult, 'error' | 'credentialsRefused' | 'depot'>>;

/**
 * A run's connector results, each kept by its place in the fleet as a few numbers and
 * references to strings the run holds anyway, until the run's end builds the summary: an object
 * per connector held through the scan and the fleet step was a few hundred bytes a connector.
 */
export class ConnectorResults implements Iterable<ConnectorResult> {
  #counts = new Int32Array(COUNTS.length * 64);
  #status = new Uint8Array(64);
  readonly #chargers: string[];
  readonly #connectors: string[];
  readonly #from: string[];
  readonly #to: string[];
  readonly #rare = new Map<number, Rare>();
  /**
   * Each result's findings by rule, one object for all results that found the same: a fleet
   * has eleven rules, and most connectors found nothing or one finding.
   */
  readonly #findings: Readonly<Record<string, number>>[];
  readonly #sameFindings = new Map<string, Readonly<Record<string, number>>>();
  #length = 0;

  /** `expected`: how many results are to come, set in any order. */
  constructor(expected = 0) {
    if (expected > 0) this.#grow(expected);
    // Filled, not holey: an array with holes is kept as a dictionary once it is large.
    this.#chargers = new Array<string>(expected).fill('');
    this.#connectors = new Array<string>(expected).fill('');
    this.#from = new Array<string>(expected).fill('');
    this.#to = new Array<string>(expected).fill('');
    this.#findings = new Array<Readonly<Record<string, number>>>(expected).fill(NONE);
  }

  get length(): number {
    return this.#length;
  }

  /** Keeps the result of the connector at `index` (the next one when left out). */
  set(result: ConnectorResult, index = this.length): void {
    if (index >= this.#status.length) this.#grow(index + 1);
    this.#length = Math.max(this.#length, index + 1);
    COUNTS.forEach((name, k) => {
      this.#counts[index * COUNTS.length + k] = result[name];
    });
    this.#status[index] = STATUSES.indexOf(result.status);
    this.#chargers[index] = result.chargerId;
    this.#connectors[index] = result.connectorId;
    // Windows of a first run all begin at once: one string, not one per connector.
    const from = this.#from[index - 1];
    this.#from[index] = from === result.window.from ? from : result.window.from;
    this.#to[index] = result.window.to;
    this.#findings[index] = this.#same(result.findingsByRule);
    const { error, credentialsRefused, depot } = result;
    const rare: Rare = {
      ...(error !== undefined ? { error } : {}),
      ...(credentialsRefused !== undefined ? { credentialsRefused } : {}),
      ...(depot !== undefined ? { depot } : {}),
    };
    if (Object.keys(rare).length > 0) this.#rare.set(index, rare);
    else this.#rare.delete(index);
  }

  /** Each result, built anew as it is reached, in fleet order. */
  *[Symbol.iterator](): Generator<ConnectorResult> {
    // A run's results mostly share one window: one object for each run of equal ones.
    let window = { from: '', to: '' };
    for (let index = 0; index < this.length; index++) {
      const from = this.#from[index] as string;
      const to = this.#to[index] as string;
      if (window.from !== from || window.to !== to) window = { from, to };
      yield this.#at(index, window);
    }
  }

  /** The result at `index`, on the window given; its findings by rule are its own. */
  #at(index: number, window: ConnectorResult['window']): ConnectorResult {
    const counts = Object.fromEntries(
      COUNTS.map((name, k) => [name, this.#counts[index * COUNTS.length + k] as number]),
    ) as unknown as ConnectorCounts;
    const rare = this.#rare.get(index);
    const result = connectorResult(
      {
        chargerId: this.#chargers[index] as string,
        connectorId: this.#connectors[index] as string,
      },
      counts,
      STATUSES[this.#status[index] as number] ?? 'failed',
      window,
      { ...this.#findings[index] },
      rare?.error,
    );
    if (rare?.credentialsRefused !== undefined) result.credentialsRefused = rare.credentialsRefused;
    if (rare?.depot !== undefined) result.depot = rare.depot;
    return result;
  }

  #same(findings: Record<string, number>): Readonly<Record<string, number>> {
    const text = JSON.stringify(findings);
    if (text === '{}') return NONE;
    const known = this.#sameFindings.get(text);
    if (known) return known;
    const kept = Object.freeze({ ...findings });
    this.#sameFindings.set(text, kept);
    return kept;
  }

  #grow(atLeast: number): void {
    this.#counts = grown(this.#counts, atLeast * COUNTS.length);
    this.#status = grown(this.#status, atLeast);
  }
}
