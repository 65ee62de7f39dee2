import { batteryMisalignment } from './battery-misalignment.ts';
import { breakerOpenUnderLoad } from './breaker-open-under-load.ts';
import { converterErrorCounter } from './converter-error-counter.ts';
import type { Rule } from './rule.ts';
import { socShortfall } from './soc-shortfall.ts';

/** Every rule the scan runs, in the order their findings are listed. Add new rules here. */
// biome-ignore lint/suspicious/noExplicitAny: each rule has its own thresholds type
export const RULES: readonly Rule<any>[] = [
  converterErrorCounter,
  batteryMisalignment,
  breakerOpenUnderLoad,
  socShortfall,
];

/** The ids of all rules, for config validation and summaries. */
export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);
