import { ConfigError } from '../config/config.ts';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a duration flag such as `90s`, `10m`, `4h` or `2d`, in ms. The unit is required: a bare
 * `--for 4` meant four hours to the person who typed it as often as four seconds.
 */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim());
  const amount = Number(match?.[1]);
  if (!match || !(amount > 0))
    throw new ConfigError(`${flag} takes a duration such as 90s, 10m, 4h or 2d, got "${value}"`);
  const unit = match[2];
  if (!unit) {
    const n = match[1];
    throw new ConfigError(`${flag} ${n} needs a unit: ${n}s, ${n}m, ${n}h or ${n}d`);
  }
  return Math.round(amount * (UNIT_MS[unit] ?? 1_000));
}
