import { ConfigError } from '../config/config.ts';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Reads a duration flag such as `90s`, `10m`, `4h` or `2d` (a bare number is seconds), in ms. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim());
  if (!match?.[1] || Number(match[1]) <= 0) {
    throw new ConfigError(`${flag} takes a duration such as 90s, 10m, 4h or 2d, got "${value}"`);
  }
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] || 's'] ?? 1_000));
}
