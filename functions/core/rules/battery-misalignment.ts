import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches a failed pre-charge voltage alignment: before the DC contactors close, the charger
 * matches its output to the battery. A failed check (`inRange: false`) or a large gap between
 * the present and the requested voltage means an inrush current on closing, a wrong voltage
 * reading on the vehicle side, or a converter that cannot regulate.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Gap in volts tolerated between present and requested voltage. */
  toleranceVolts: z.number().check(z.minimum(0)),
  /** Gap in percent of the requested voltage tolerated; the larger of the two applies. */
  tolerancePercent: z.number().check(z.minimum(0), z.maximum(100)),
  /** Severity when the charger's own check failed (`inRange: false`). */
  failedSeverity: severitySchema,
  /** Severity when the check passed but the gap exceeds the tolerance. */
  gapSeverity: severitySchema,
});

export type BatteryMisalignmentThresholds = z.infer<typeof schema>;

export const batteryMisalignment: Rule<BatteryMisalignmentThresholds> = {
  id: 'battery-misalignment',
  summary: 'The pre-charge check found the charger and battery voltages apart.',
  schema,
  // A failed alignment is told the run it is fetched; a voltage gap waits for a second session.
  confirm: STANDARD_CONFIRM,
  defaults: {
    enabled: true,
    toleranceVolts: 10,
    tolerancePercent: 2,
    failedSeverity: 'critical',
    gapSeverity: 'warning',
  },
  evaluate(report, t, origin) {
    const check = report.batteryAlignmentResults;
    if (!check) return [];
    const { presentVoltage: present, requestedVoltage: requested, inRange } = check;
    const hasVoltages = present !== undefined && requested !== undefined;
    const gap = hasVoltages ? Math.abs(present - requested) : undefined;
    const allowed = hasVoltages
      ? Math.max(t.toleranceVolts, (Math.abs(requested) * t.tolerancePercent) / 100)
      : undefined;
    const gapTooLarge = gap !== undefined && allowed !== undefined && gap > allowed;
    if (inRange !== false && !gapTooLarge) return [];

    const voltages = hasVoltages
      ? `present ${present} V vs requested ${requested} V (gap ${round1(gap ?? 0)} V, tolerance ${round1(allowed ?? 0)} V)`
      : 'no voltages reported';
    const evidence: Record<string, number | boolean> = {
      toleranceVolts: t.toleranceVolts,
      tolerancePercent: t.tolerancePercent,
    };
    if (inRange !== undefined) evidence.inRange = inRange;
    if (hasVoltages)
      Object.assign(evidence, {
        presentVoltage: present,
        requestedVoltage: requested,
        gapVolts: round1(gap ?? 0),
      });
    return [
      finding(this.id, report, origin, {
        severity: inRange === false ? t.failedSeverity : t.gapSeverity,
        title:
          inRange === false
            ? 'Battery voltage alignment failed'
            : `Battery voltage ${round1(gap ?? 0)} V off request`,
        message:
          `Pre-charge alignment ${inRange === false ? 'failed' : 'passed with a large gap'}: ${voltages}. ` +
          "Check the charger's output voltage measurement and the vehicle's reported battery voltage.",
        evidence,
      }),
    ];
  },
};
