import * as z from 'zod/mini';
import type { Finding } from '../finding.ts';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { kwh, type Meter, meterDelta, meterReadings, sessionMs } from './energy.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches readings that cannot be true: an energy counter running backwards, a state of
 * charge outside 0–100 %, a session that ends before it starts, an energy figure no single
 * session can reach, or more DC energy out than grid energy in. These point at a meter, a
 * firmware or a data pipeline problem, and they make every other rule's figures suspect.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** More energy than this on any counter in one session is absurd. */
  maxSessionEnergyWh: z.number().check(z.positive()),
  /** DC over grid energy above this (in percent) is impossible; 100 plus meter tolerance. */
  maxEfficiencyPercent: z.number().check(z.minimum(100)),
  /** Efficiency is only judged when the grid side drew at least this much. */
  minGridEnergyWh: z.number().check(z.minimum(0)),
  severity: severitySchema,
});

export type MeterDataQualityThresholds = z.infer<typeof schema>;

const METERS: readonly [Meter, string][] = [
  ['energyCharge', 'DC energy meter'],
  ['energyPrimary', 'grid energy meter'],
  ['energyRequested', 'requested energy counter'],
];

const SOC_FIELDS = ['energySocStart', 'energySocEnd'] as const;

export const meterDataQuality: Rule<MeterDataQualityThresholds> = {
  id: 'meter-data-quality',
  summary: 'The report holds readings that cannot be true (counters backwards, SoC out of range).',
  schema,
  // Implausible meter readings matter when they repeat: one odd session never reaches anyone.
  confirm: STANDARD_CONFIRM,
  defaults: {
    enabled: true,
    maxSessionEnergyWh: 2_000_000,
    maxEfficiencyPercent: 101,
    minGridEnergyWh: 5_000,
    severity: 'info',
  },
  evaluate(report, t, origin) {
    const problems: {
      key: string;
      title: string;
      detail: string;
      evidence: Finding['evidence'];
    }[] = [];
    for (const [meter, name] of METERS) {
      const [start, end] = meterReadings(report, meter);
      if (start === undefined || end === undefined) continue;
      const delta = end - start;
      if (delta < 0) {
        problems.push({
          key: `backwards:${meter}`,
          title: `${name} ran backwards`,
          detail: `the ${name} went from ${start} to ${end} Wh`,
          evidence: { meter, start, end },
        });
      } else if (delta > t.maxSessionEnergyWh) {
        problems.push({
          key: `absurd:${meter}`,
          title: `${name} rose ${kwh(delta)} in one session`,
          detail: `the ${name} rose ${kwh(delta)}, more than the ${kwh(t.maxSessionEnergyWh)} one session can take`,
          evidence: { meter, deltaWh: delta, maxSessionEnergyWh: t.maxSessionEnergyWh },
        });
      }
    }
    for (const field of SOC_FIELDS) {
      const soc = report[field];
      if (soc !== undefined && (soc < 0 || soc > 100)) {
        problems.push({
          key: `soc-range:${field}`,
          title: `${field} ${soc}% out of range`,
          detail: `${field} is ${soc}%, outside 0–100 %`,
          evidence: { field, soc },
        });
      }
    }
    if (sessionMs(report) < 0) {
      problems.push({
        key: 'time-order',
        title: 'Session ends before it starts',
        detail: `the session ends at ${report.sessionTimeEnd}, before its start`,
        evidence: { sessionTimeEnd: report.sessionTimeEnd ?? '' },
      });
    }
    const dc = meterDelta(report, 'energyCharge');
    const grid = meterDelta(report, 'energyPrimary');
    if (dc !== undefined && grid !== undefined && grid >= t.minGridEnergyWh) {
      const efficiency = (dc / grid) * 100;
      if (efficiency > t.maxEfficiencyPercent) {
        problems.push({
          key: 'efficiency-above-100',
          title: `Efficiency ${round1(efficiency)}%: DC out exceeds grid in`,
          detail: `${kwh(dc)} DC out for ${kwh(grid)} grid in is ${round1(efficiency)}% (above ${t.maxEfficiencyPercent}%)`,
          evidence: { dcEnergyWh: dc, gridEnergyWh: grid, efficiencyPercent: round1(efficiency) },
        });
      }
    }
    return problems.map((p) =>
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `Data quality: ${p.title}`,
        message: `Impossible reading: ${p.detail}. Check the meter and the charger firmware; treat this session's other figures with care.`,
        evidence: p.evidence,
        discriminator: p.key,
      }),
    );
  },
};
