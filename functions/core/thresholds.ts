import * as z from 'zod';
import { RULES } from './rules/registry.ts';

/**
 * Thresholds for every rule, keyed by rule id. Each rule's own schema supplies its defaults,
 * so `{}` is a complete, valid configuration; an unknown rule id is rejected by name.
 */
export const thresholdsSchema = z
  .strictObject(Object.fromEntries(RULES.map((rule) => [rule.id, rule.thresholds.prefault({})])))
  .prefault({});

/** Thresholds of all rules after defaults are applied. */
export type Thresholds = Record<string, { enabled: boolean } & Record<string, unknown>>;

/** The thresholds every rule uses when the config says nothing. */
export function defaultThresholds(): Thresholds {
  return thresholdsSchema.parse({}) as Thresholds;
}
