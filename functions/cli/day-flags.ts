import { ConfigError } from '../config/config.ts';
import { isKpiDay } from '../core/fleet/daily-kpis.ts';

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
