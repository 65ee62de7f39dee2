import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { meterDelta, sessionMinutes } from './energy.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches a session that never delivered energy: the vehicle was plugged in long enough to
 * charge, yet the DC meter (or, without it, the state of charge) did not move. A failed
 * handshake, an insulation fault or contactors that never closed look like this.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** A DC meter rise below this counts as no energy. */
  maxEnergyWh: z.number().check(z.minimum(0)),
  /** Sessions shorter than this are not judged (a quick unplug is not a fault). */
  minDurationMinutes: z.number().check(z.minimum(0)),
  severity: severitySchema,
});

export type NoEnergyDeliveredThresholds = z.infer<typeof schema>;

export const noEnergyDelivered: Rule<NoEnergyDeliveredThresholds> = {
  id: 'no-energy-delivered',
  summary: 'A session long enough to charge delivered no energy.',
  schema,
  confirm: STANDARD_CONFIRM,
  defaults: { enabled: true, maxEnergyWh: 100, minDurationMinutes: 2, severity: 'warning' },
  evaluate(report, t, origin) {
    const minutes = sessionMinutes(report);
    if (minutes === undefined || minutes < t.minDurationMinutes) return [];
    const delivered = meterDelta(report, 'energyCharge');
    const { energySocStart: socStart, energySocEnd: socEnd } = report;
    const noEnergy =
      delivered !== undefined
        ? delivered >= 0 && delivered < t.maxEnergyWh
        : socStart !== undefined && socEnd !== undefined && socEnd <= socStart;
    if (!noEnergy) return [];
    const what =
      delivered !== undefined ? `${delivered} Wh on the DC meter` : `SoC ${socStart}% → ${socEnd}%`;
    return [
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `No energy delivered in ${round1(minutes)} min`,
        message:
          `The session lasted ${round1(minutes)} min but delivered nothing (${what}; threshold ${t.maxEnergyWh} Wh). ` +
          'Check the charger log for an aborted handshake, insulation or pre-charge fault, and whether the vehicle left uncharged.',
        evidence: {
          durationMinutes: round1(minutes),
          ...(delivered !== undefined ? { deliveredWh: delivered } : {}),
          maxEnergyWh: t.maxEnergyWh,
        },
      }),
    ];
  },
};
