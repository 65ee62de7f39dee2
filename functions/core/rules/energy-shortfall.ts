import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { kwh, meterDelta } from './energy.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches a charger that delivered clearly less DC energy than the vehicle asked for: the
 * session ended with energy still owed, from a stopped charge, power limiting or a meter out
 * of step. Sessions that delivered almost nothing are left to `no-energy-delivered`.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Delivered energy below this share of the requested energy raises a finding. */
  minDeliveredPercent: z.number().check(z.minimum(0), z.maximum(100)),
  /** Sessions that delivered less than this are not judged here. */
  minDeliveredWh: z.number().check(z.minimum(0)),
  severity: severitySchema,
});

export type EnergyShortfallThresholds = z.infer<typeof schema>;

export const energyShortfall: Rule<EnergyShortfallThresholds> = {
  id: 'energy-shortfall',
  summary: 'Delivered DC energy fell short of the energy the vehicle requested.',
  schema,
  confirm: STANDARD_CONFIRM,
  defaults: { enabled: true, minDeliveredPercent: 97, minDeliveredWh: 1_000, severity: 'warning' },
  evaluate(report, t, origin) {
    const delivered = meterDelta(report, 'energyCharge');
    const requested = meterDelta(report, 'energyRequested');
    if (delivered === undefined || requested === undefined) return [];
    if (delivered < t.minDeliveredWh || requested <= 0) return [];
    const percent = (delivered / requested) * 100;
    if (percent >= t.minDeliveredPercent) return [];
    return [
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `Delivered ${round1(percent)}% of requested energy`,
        message:
          `The charger delivered ${kwh(delivered)} of the ${kwh(requested)} requested (${round1(percent)}%, ` +
          `below ${t.minDeliveredPercent}%). Check why the session ended early or was power-limited, ` +
          'and compare the DC meter with the vehicle’s own reading.',
        evidence: {
          deliveredWh: delivered,
          requestedWh: requested,
          deliveredPercent: round1(percent),
          minDeliveredPercent: t.minDeliveredPercent,
        },
      }),
    ];
  },
};
