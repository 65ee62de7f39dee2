import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.ts';
import { usageError } from './usage-error.ts';

/** The options a command takes, as node's argument parser declares them. */
export type FlagOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parses a command's flags strictly; a mistake in them is a usage error (exit 2) in one sentence. */
export function parseFlags<T extends FlagOptions>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw usageError(error, Object.keys(options ?? {}));
  }
}

/** A folder or file the config names, as a person finds it: absolute, or the `s3://` URI. */
export function where(location: string, baseDir: string): string {
  return location.startsWith('s3://') ? location : resolve(baseDir, location);
}

/** A flag that takes a whole number, such as `--seed 7`. */
export function wholeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${flag} must be a whole number, got "${value}"`);
  return n;
}
