import type { SessionReport } from '../session-report.ts';
import { timestampMs } from '../timestamps.ts';
import { round1 } from './rule.ts';

/** The meter counters of a report: DC side, grid side and the vehicle's request. */
export type Meter = 'energyCharge' | 'energyPrimary' | 'energyRequested';

/** How far a counter moved during the session (Wh), or undefined when a reading is missing. */
export function meterDelta(report: SessionReport, meter: Meter): number | undefined {
  const [start, end] = meterReadings(report, meter);
  return start === undefined || end === undefined ? undefined : end - start;
}

/** The start and end readings of one counter (Wh). */
export function meterReadings(
  report: SessionReport,
  meter: Meter,
): [number | undefined, number | undefined] {
  // Spelled out rather than built from the name: this runs for every report, every rule.
  switch (meter) {
    case 'energyCharge':
      return [report.energyChargeStart, report.energyChargeEnd];
    case 'energyPrimary':
      return [report.energyPrimaryStart, report.energyPrimaryEnd];
    case 'energyRequested':
      return [report.energyRequestedStart, report.energyRequestedEnd];
  }
}

/** Session length in minutes, or undefined when the times are missing or out of order. */
export function sessionMinutes(report: SessionReport): number | undefined {
  const ms = sessionMs(report);
  return Number.isFinite(ms) && ms >= 0 ? ms / 60_000 : undefined;
}

/** End minus start (ms), NaN when either time is missing or unreadable; negative when reversed. */
export function sessionMs(report: SessionReport): number {
  const { sessionTimeStart: start = '', sessionTimeEnd: end = '' } = report;
  // Four rules ask this of each report in turn: the last answer is kept, for the same times.
  if (start !== last.start || end !== last.end)
    last = { start, end, ms: timestampMs(end) - timestampMs(start) };
  return last.ms;
}

let last = { start: '', end: '', ms: Number.NaN };

/** Watt-hours as kWh with one decimal, for messages. */
export function kwh(wh: number): string {
  return `${round1(wh / 1000).toLocaleString('en-US')} kWh`;
}
