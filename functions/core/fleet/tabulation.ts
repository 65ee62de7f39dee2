import type { SessionMark } from './attribution-state.ts';

/** Separates charger and connector in a mark's connector key. */
export const CONNECTOR_SEPARATOR = '\u001f';

/** The charger of a mark's connector key. */
export function chargerOf(connector: string): string {
  return connector.slice(0, connector.indexOf(CONNECTOR_SEPARATOR));
}

/** A connector key as people read it: `HPC-007/2`. */
export function connectorLabel(connector: string): string {
  return connector.replace(CONNECTOR_SEPARATOR, '/');
}

/**
 * The window's sessions tabulated by vehicle and by connector, for one rule at a time: who
 * failed where, and who charged cleanly where. Built once per run from the marks.
 */
export class Tabulation {
  readonly #byConnector = new Map<string, SessionMark[]>();
  readonly #byVehicle = new Map<string, SessionMark[]>();

  constructor(marks: readonly SessionMark[]) {
    for (const mark of marks) {
      push(this.#byConnector, mark.c, mark);
      if (mark.v !== undefined) push(this.#byVehicle, mark.v, mark);
    }
  }

  /** Whether the connector charged some vehicle other than `vehicle` without this rule failing. */
  cleanWithOthers(connector: string, rule: string, vehicle: string): boolean {
    return (this.#byConnector.get(connector) ?? []).some(
      (m) => m.v !== undefined && m.v !== vehicle && !failed(m, rule),
    );
  }

  /** Whether the vehicle charged on some other connector without this rule failing. */
  cleanElsewhere(vehicle: string, rule: string, connector: string): boolean {
    return (this.#byVehicle.get(vehicle) ?? []).some((m) => m.c !== connector && !failed(m, rule));
  }

  /**
   * The connectors on which the vehicle failed this rule and which charge other vehicles
   * cleanly: evidence against the vehicle. Sorted, each once.
   */
  vehicleEvidence(vehicle: string, rule: string): string[] {
    const connectors = new Set<string>();
    for (const mark of this.#byVehicle.get(vehicle) ?? [])
      if (failed(mark, rule) && this.cleanWithOthers(mark.c, rule, vehicle)) connectors.add(mark.c);
    return [...connectors].sort();
  }

  /**
   * The vehicles that failed this rule on the connector and charge cleanly elsewhere:
   * evidence against the connector. Sorted, each once.
   */
  connectorEvidence(connector: string, rule: string): string[] {
    const vehicles = new Set<string>();
    for (const mark of this.#byConnector.get(connector) ?? [])
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
    return (this.#byConnector.get(connector) ?? []).filter(
      (m) => m.v === vehicle && failed(m, rule),
    ).length;
  }
}

function failed(mark: SessionMark, rule: string): boolean {
  return mark.f?.includes(rule) ?? false;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
