import { ConfigError } from '../config/config.ts';
import { isKpiDay } from '../core/fleet/daily-kpis.ts';
import type { ReportPeriod } from '../health-report/model/report-input.ts';
import { daysOf, lastCompleteWeek } from '../health-report/model/report-period.ts';

/** Days a report covers at most: two periods are read, one object per day each. */
const MAX_REPORT_DAYS = 366;

/** `--from`/`--to` as given on the command line; either may be missing. */
export interface DayFlags {
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Checks the days `--from`/`--to` name: each given one a real UTC day, and `--from` not after
 * `--to` when both are given. Either fault is a ConfigError (usage, exit 2).
 */
export function checkDayFlags(flags: DayFlags): void {
  for (const [flag, value] of [
    ['--from', flags.from],
    ['--to', flags.to],
  ] as const)
    if (value !== undefined && !isKpiDay(value))
      throw new ConfigError(`${flag} takes a UTC day such as 2026-11-24, got "${value}"`);
  if (flags.from !== undefined && flags.to !== undefined && flags.from > flags.to)
    throw new ConfigError(`--from ${flags.from} is after --to ${flags.to}`);
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
