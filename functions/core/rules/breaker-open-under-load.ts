import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { enabledSchema, finding, type Rule, round1 } from './rule.ts';

/**
 * Catches the DC breaker opening while current still flows. Breaking DC under load draws an
 * arc that burns the contacts; repeated, it welds them or ends the breaker's life early. It
 * usually means an emergency stop, a vehicle that opened its contactors first, or a fault trip.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Current at opening above this is a warning. */
  warningAmps: z.number().check(z.minimum(0)),
  /** Current at opening above this is critical. */
  criticalAmps: z.number().check(z.minimum(0)),
});

export type BreakerOpenUnderLoadThresholds = z.infer<typeof schema>;

export const breakerOpenUnderLoad: Rule<BreakerOpenUnderLoadThresholds> = {
  id: 'breaker-open-under-load',
  summary: 'The DC breaker opened with current still flowing.',
  schema,
  // A breaker opening under load is told the run it is fetched; a small current waits for a second.
  confirm: STANDARD_CONFIRM,
  defaults: { enabled: true, warningAmps: 5, criticalAmps: 50 },
  inconsistency: (t) =>
    t.criticalAmps < t.warningAmps
      ? { field: 'criticalAmps', message: 'must be at least warningAmps' }
      : undefined,
  evaluate(report, t, origin) {
    const current = report.dcBreakerOpenConditions?.current;
    if (current === undefined) return [];
    const amps = Math.abs(current);
    if (amps <= t.warningAmps) return [];
    const critical = amps > t.criticalAmps;
    const threshold = critical ? t.criticalAmps : t.warningAmps;
    const voltage = report.dcBreakerOpenConditions?.voltage;
    const power =
      voltage !== undefined ? ` at ${voltage} V (${round1((amps * voltage) / 1000)} kW)` : '';
    const evidence: Record<string, number> = { currentAmps: amps, thresholdAmps: threshold };
    if (voltage !== undefined) {
      evidence.voltage = voltage;
      evidence.powerKw = round1((amps * voltage) / 1000);
    }
    return [
      finding(this.id, report, origin, {
        severity: critical ? 'critical' : 'warning',
        title: `DC breaker opened under load: ${round1(amps)} A`,
        message:
          `The DC breaker opened with ${round1(amps)} A flowing${power}; ${critical ? 'critical' : 'warning'} above ${threshold} A. ` +
          'Inspect the breaker contacts for arcing and check why the session ended (emergency stop, vehicle contactors, fault trip).',
        evidence,
      }),
    ];
  },
};
