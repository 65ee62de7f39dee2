import type { Finding } from '../finding.ts';
import { DRIFT_METRICS } from './drift.ts';

/**
 * Rules whose faults the vehicle can cause as well as the charger: a battery that answers the
 * alignment check wrongly, a bus that stops taking charge early, a vehicle that opens its
 * contactors under load. Their findings are attributed across the fleet before anyone is told.
 */
export const ATTRIBUTABLE_RULES: ReadonlySet<string> = new Set([
  'battery-misalignment',
  'soc-shortfall',
  'breaker-open-under-load',
]);

/** The rule whose finding means the charger itself declared a fault in the session. */
export const FAULTED = 'ocpp-faulted';

/**
 * The findings of a session that are for the fleet to attribute: those of attributable rules,
 * unless the connector declared itself Faulted — then they are its symptoms, not evidence.
 */
export function attributableFindings(findings: readonly Finding[]): Finding[] {
  if (findings.some((f) => f.rule === FAULTED)) return [];
  return findings.filter((f) => ATTRIBUTABLE_RULES.has(f.rule));
}

/** Rules whose firing keeps a session's figure out of drift against its sister connectors. */
const DRIFT_COMPANIONS: ReadonlySet<string> = new Set(DRIFT_METRICS.map((m) => m.companion));

/**
 * What the fleet-wide steps keep of a session's findings until the run's end: the attributable
 * ones, a Faulted connector's (which makes them symptoms), and those that tell peer drift to
 * stay quiet (the fixed-threshold rule already told).
 */
export function fleetFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter(
    (f) => ATTRIBUTABLE_RULES.has(f.rule) || DRIFT_COMPANIONS.has(f.rule) || f.rule === FAULTED,
  );
}
