import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import type { SessionReport } from '../session-report.ts';
import { timestampMs } from '../timestamps.ts';
import { meterDelta, sessionMinutes } from './energy.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches a derated charge: the highest power the charger delivered (from its current and
 * voltage samples) stayed far below both what the station can give and what the vehicle
 * asked for. Overheated modules, a failed power module or a grid limit show up this way.
 * Vehicles that started nearly full are not judged: their battery takes little power anyway.
 * Nor are sessions whose samples peak below the session's average power: such samples missed
 * the charge (the vendor's own example holds only pre-charge samples), and no true peak is
 * lower than the average.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Peak power below this share of min(station max, vehicle max) raises a finding. */
  minPeakPercent: z.number().check(z.minimum(0), z.maximum(100)),
  /** Sessions that delivered less DC energy than this are not judged. */
  minDeliveredWh: z.number().check(z.minimum(0)),
  /** Sessions that started at or above this state of charge are not judged. */
  maxSocStartPercent: z.number().check(z.minimum(0), z.maximum(100)),
  severity: severitySchema,
});

export type PowerDeratingThresholds = z.infer<typeof schema>;

/** The charge parameters that limit power, by their `paramType` in lower case. */
const LIMITS: ReadonlySet<string> = new Set(['station', 'request']);
/** The spellings the API sends, known without lower-casing a copy. */
const LIMITS_AS_SENT: ReadonlySet<string> = new Set(['Station', 'Request', ...LIMITS]);

function isLimit(paramType: string): boolean {
  return LIMITS_AS_SENT.has(paramType) || LIMITS.has(paramType.toLowerCase());
}

export const powerDerating: Rule<PowerDeratingThresholds> = {
  id: 'power-derating',
  summary: 'Peak delivered power stayed far below what both station and vehicle allow.',
  schema,
  confirm: STANDARD_CONFIRM,
  defaults: {
    enabled: true,
    minPeakPercent: 50,
    minDeliveredWh: 5_000,
    maxSocStartPercent: 80,
    severity: 'warning',
  },
  evaluate(report, t, origin) {
    const delivered = meterDelta(report, 'energyCharge');
    if (delivered === undefined || delivered < t.minDeliveredWh) return [];
    if (report.energySocStart !== undefined && report.energySocStart >= t.maxSocStartPercent)
      return [];
    // The lowest power limit of station and vehicle.
    let ceiling = Number.POSITIVE_INFINITY;
    for (const p of report.chargeParameters ?? []) {
      if (isLimit(p.paramType) && (p.maxPower ?? 0) > 0)
        ceiling = Math.min(ceiling, p.maxPower as number);
    }
    const peak = peakPowerW(report);
    if (ceiling === Number.POSITIVE_INFINITY || peak === undefined) return [];
    const minutes = sessionMinutes(report);
    const averagePower = minutes ? delivered / (minutes / 60) : 0;
    if (peak < averagePower) return [];
    const percent = (peak / ceiling) * 100;
    if (percent >= t.minPeakPercent) return [];
    return [
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `Derated: peak ${round1(peak / 1000)} kW of ${round1(ceiling / 1000)} kW`,
        message:
          `Peak delivered power was ${round1(peak / 1000)} kW, ${round1(percent)}% of the ${round1(ceiling / 1000)} kW ` +
          `both station and vehicle allow (alert below ${t.minPeakPercent}%). Check converter temperatures and ` +
          'power modules, and any site or grid power limit active at the time.',
        evidence: {
          peakPowerKw: round1(peak / 1000),
          allowedPowerKw: round1(ceiling / 1000),
          peakPercent: round1(percent),
          minPeakPercent: t.minPeakPercent,
        },
      }),
    ];
  },
};

/**
 * The highest current × voltage over the session's meter samples, pairing each sample with
 * the latest reading of the other quantity. Undefined when either was never sampled.
 * Samples usually arrive in time order; they are sorted only when they do not.
 */
export function peakPowerW(report: SessionReport): number | undefined {
  const samples = report.sessionMeterValues ?? [];
  // The rule and the session's facts both ask it of each report: the last answer is kept,
  // for the same samples (a validated report's samples are read, never changed).
  if (samples !== last.samples) last = { samples, peak: peakOf(samples) };
  return last.peak;
}

let last: { samples: readonly MeterSample[]; peak: number | undefined } = {
  samples: [],
  peak: undefined,
};

type MeterSample = NonNullable<SessionReport['sessionMeterValues']>[number];

function peakOf(samples: readonly MeterSample[]): number | undefined {
  let current: number | undefined;
  let voltage: number | undefined;
  let peak: number | undefined;
  for (const sample of inTimeOrder(samples) ? samples : byTime(samples)) {
    if (sample.key === 'present_current') current = Math.abs(sample.value);
    else if (sample.key === 'present_voltage') voltage = Math.abs(sample.value);
    else continue;
    if (current !== undefined && voltage !== undefined)
      peak = Math.max(peak ?? 0, current * voltage);
  }
  return peak;
}

/** The samples sorted by time; those without a readable time count as the earliest. */
function byTime<T extends { eventTimestamp?: string | undefined }>(samples: readonly T[]): T[] {
  const times = samples.map((s) => timestampMs(s.eventTimestamp ?? '') || 0);
  const order = samples.map((_, i) => i);
  order.sort((a, b) => (times[a] as number) - (times[b] as number));
  return order.map((i) => samples[i] as T);
}

/**
 * Whether samples are already in time order. Canonical UTC timestamps (as the API sends them)
 * sort as strings, which spares a date parse per sample; anything else counts as unordered.
 */
function inTimeOrder(samples: readonly { eventTimestamp?: string | undefined }[]): boolean {
  let previous = '';
  for (const { eventTimestamp: at } of samples) {
    if (at === undefined || at.length !== 24 || at[23] !== 'Z' || at < previous) return false;
    previous = at;
  }
  return true;
}
