import type { SessionMark } from './attribution-state.ts';
import { chargerOf } from './tabulation.ts';

/**
 * Which waiting findings can have a new verdict this run: those whose hold ran out, and those
 * whose evidence a fresh session touched — their vehicle or charger, a connector their
 * vehicle failed on, or a vehicle that failed on their charger. Evidence only ever grows with
 * sessions (the window's end can take some away, which decides nothing), so a finding nothing
 * touched would be left waiting anyway: skipping it changes no verdict, and saves a depot's
 * worth of tabulation on most runs.
 *
 * Runs every run over the window's failures (thousands in a large depot), so it makes one pass
 * over them with set lookups only — no per-run index of who failed where, and no key strings
 * built — and none at all when nothing waits.
 */
export function reconsider(
  held: readonly SessionMark[],
  failures: readonly SessionMark[],
  /** The connectors, chargers and vehicles of the run's fresh sessions (at least those `failures` name). */
  touched: {
    connectors: ReadonlySet<string>;
    chargers: ReadonlySet<string>;
    vehicles: ReadonlySet<string>;
  },
  context: { now: number; holdMs: number },
): SessionMark[] {
  if (held.length === 0) return [];
  const { connectors, chargers, vehicles } = touched;
  // Vehicles that failed on a touched connector; chargers where a touched vehicle failed.
  const failedOnTouched = new Set<string>();
  const touchedFailedAt = new Set<string>();
  for (const mark of failures) {
    if (mark.v === undefined) continue;
    if (connectors.has(mark.c)) failedOnTouched.add(mark.v);
    if (vehicles.has(mark.v)) touchedFailedAt.add(chargerOf(mark.c));
  }
  return held.filter((mark) => {
    const charger = chargerOf(mark.c);
    return (
      context.now - Date.parse(mark.t) >= context.holdMs ||
      chargers.has(charger) ||
      (mark.v !== undefined && (vehicles.has(mark.v) || failedOnTouched.has(mark.v))) ||
      touchedFailedAt.has(charger)
    );
  });
}
