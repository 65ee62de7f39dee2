import type { SessionReport } from '../session-report.ts';
import { round1 } from './rule.ts';

/** The meter counters of a report: DC side, grid side and the vehicle's request. */
export type Meter = 'energyCharge' | 'energyPrimary' | 'energyRequested';

/** How far a counter moved during the session (Wh), or undefined when a reading is missing. */
export function meterDelta(report: SessionReport, meter: Meter): number | undefined {
  const start = report[`${meter}Start`];
  const end = report[`${meter}End`];
  return start === undefined || end === undefined ? undefined : end - start;
}

/** Session length in minutes, or undefined when the times are missing or out of order. */
export function sessionMinutes(report: SessionReport): number | undefined {
  if (report.sessionTimeStart === undefined || report.sessionTimeEnd === undefined)
    return undefined;
  const ms = Date.parse(report.sessionTimeEnd) - Date.parse(report.sessionTimeStart);
  return Number.isFinite(ms) && ms >= 0 ? ms / 60_000 : undefined;
}

/** Watt-hours as kWh with one decimal, for messages. */
export function kwh(wh: number): string {
  return `${round1(wh / 1000).toLocaleString('en-US')} kWh`;
}
