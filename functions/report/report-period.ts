import { checkDayFlags, type DayFlags } from '../cli/day-flags.ts';
import { ConfigError } from '../config/config.ts';
import type { ReportPeriod } from '../core/report/report-input.ts';

const DAY_MS = 86_400_000;
/** Days a report covers at most: two periods are read, one object per day each. */
const MAX_REPORT_DAYS = 366;

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

/**
 * The period `--from`/`--to` name, checked; both or neither (then the last complete week).
 * A bad day, a reversed or an over-long period is a ConfigError (usage, exit 2).
 */
export function reportPeriodFrom(flags: DayFlags, now: number): ReportPeriod {
  checkDayFlags(flags);
  if ((flags.from === undefined) !== (flags.to === undefined))
    throw new ConfigError('give --from and --to together, or neither for the last complete week');
  if (flags.from === undefined || flags.to === undefined) return lastCompleteWeek(now);
  const period = { from: flags.from, to: flags.to };
  if (daysOf(period).length > MAX_REPORT_DAYS)
    throw new ConfigError(`a report covers at most ${MAX_REPORT_DAYS} days; shorten --from/--to`);
  return period;
}
