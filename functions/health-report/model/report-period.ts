import type { ReportPeriod } from './report-input.ts';

const DAY_MS = 86_400_000;

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A day moved by whole days, `YYYY-MM-DD`. */
export function addDays(day: string, days: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** Every UTC day of a period, both ends included, in order. */
export function daysOf({ from, to }: ReportPeriod): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The weekly default: the last 7 complete UTC days before `now`'s day, so a report run on a
 * Monday covers the previous Monday to Sunday and never a half-finished today.
 */
export function lastCompleteWeek(now: number): ReportPeriod {
  const today = dayOf(now);
  return { from: addDays(today, -7), to: addDays(today, -1) };
}

/** The 7 days up to and including `now`'s day: what the demo's two weeks of fresh data fill. */
export function weekEndingToday(now: number): ReportPeriod {
  const today = dayOf(now);
  return { from: addDays(today, -6), to: today };
}

/** The period of the same length just before a period, to compare with. */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  const length = daysOf(period).length;
  return { from: addDays(period.from, -length), to: addDays(period.from, -1) };
}
