import type { AttributionState, CleanSession, SessionMark } from './attribution-state.ts';
import { type EntryTable, entriesOf } from './entry-table.ts';

/** Separates charger and connector in a mark's connector key. */
export const CONNECTOR_SEPARATOR = '\u001f';

/** The charger of a mark's connector key. */
export function chargerOf(connector: string): string {
  return connector.slice(0, connector.indexOf(CONNECTOR_SEPARATOR));
}

/** A connector's key from its origin: the inverse of `originOf`. */
export function connectorOf(origin: { chargerId: string; connectorId: string }): string {
  return `${origin.chargerId}${CONNECTOR_SEPARATOR}${origin.connectorId}`;
}

/** A connector's origin from its key. */
export function originOf(connector: string): { chargerId: string; connectorId: string } {
  const at = connector.indexOf(CONNECTOR_SEPARATOR);
  return { chargerId: connector.slice(0, at), connectorId: connector.slice(at + 1) };
}

/** A connector key as people read it: `HPC-007/2`. */
export function connectorLabel(connector: string): string {
  return connector.replace(CONNECTOR_SEPARATOR, '/');
}

/**
 * The window's sessions tabulated by vehicle and by connector, for one rule at a time: who
 * failed where, and who charged cleanly where. A failed session is clean for the rules it did
 * not fail. Built once per run from the record.
 */
export class Tabulation {
  readonly #failuresByConnector = new Map<string, SessionMark[]>();
  readonly #failuresByVehicle = new Map<string, SessionMark[]>();
  readonly #cleanByConnector: EntryTable<CleanSession[]>;
  readonly #cleanByVehicle: EntryTable<CleanSession[]>;

  constructor(
    record: Pick<AttributionState, 'failures' | 'cleanByConnector' | 'cleanByVehicle'>,
    /** The window's start, ISO: older clean sessions count for nothing. */
    private readonly oldest: string,
  ) {
    this.#cleanByConnector = entriesOf(record.cleanByConnector);
    this.#cleanByVehicle = entriesOf(record.cleanByVehicle);
    for (const mark of record.failures) {
      push(this.#failuresByConnector, mark.c, mark);
      if (mark.v !== undefined) push(this.#failuresByVehicle, mark.v, mark);
    }
  }

  /** Whether the connector charged some vehicle other than `vehicle` without this rule failing. */
  cleanWithOthers(connector: string, rule: string, vehicle: string): boolean {
    const clean = this.#cleanByConnector.get(connector) ?? [];
    return (
      clean.some(([v, t]) => v !== vehicle && t >= this.oldest) ||
      (this.#failuresByConnector.get(connector) ?? []).some(
        (m) => m.v !== undefined && m.v !== vehicle && !failed(m, rule),
      )
    );
  }

  /** Whether the vehicle charged on some other connector without this rule failing. */
  cleanElsewhere(vehicle: string, rule: string, connector: string): boolean {
    const clean = this.#cleanByVehicle.get(vehicle) ?? [];
    return (
      clean.some(([c, t]) => c !== connector && t >= this.oldest) ||
      (this.#failuresByVehicle.get(vehicle) ?? []).some(
        (m) => m.c !== connector && !failed(m, rule),
      )
    );
  }

  /**
   * The connectors on which the vehicle failed this rule and which charge other vehicles
   * cleanly: evidence against the vehicle. Sorted, each once.
   */
  vehicleEvidence(vehicle: string, rule: string): string[] {
    const connectors = new Set<string>();
    for (const mark of this.#failuresByVehicle.get(vehicle) ?? [])
      if (failed(mark, rule) && this.cleanWithOthers(mark.c, rule, vehicle)) connectors.add(mark.c);
    return [...connectors].sort();
  }

  /**
   * The vehicles that failed this rule on the connector and charge cleanly elsewhere:
   * evidence against the connector. Sorted, each once.
   */
  connectorEvidence(connector: string, rule: string): string[] {
    const vehicles = new Set<string>();
    for (const mark of this.#failuresByConnector.get(connector) ?? [])
      if (
        mark.v !== undefined &&
        failed(mark, rule) &&
        this.cleanElsewhere(mark.v, rule, connector)
      )
        vehicles.add(mark.v);
    return [...vehicles].sort();
  }

  /** How often this vehicle failed this rule on this connector in the window. */
  pairFailures(vehicle: string, connector: string, rule: string): number {
    return (this.#failuresByConnector.get(connector) ?? []).filter(
      (m) => m.v === vehicle && failed(m, rule),
    ).length;
  }
}

/**
 * Records a clean session of a counterpart (a vehicle on a connector's list, or a connector on
 * a vehicle's): its latest time, keeping the two most recent distinct counterparts. Two are
 * enough to tell whether *another* one charged cleanly: if the most recent is the one asked
 * about, the second is the most recent other. Returns a new list.
 */
export function withCleanSession(
  list: readonly [string, string][],
  counterpart: string,
  at: string,
): [string, string][] {
  const others = list.filter(([who]) => who !== counterpart);
  const mine = list.find(([who]) => who === counterpart);
  const latest: [string, string] = [counterpart, mine && mine[1] > at ? mine[1] : at];
  return [latest, ...others].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)).slice(0, 2);
}

function failed(mark: SessionMark, rule: string): boolean {
  return mark.f.includes(rule);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
