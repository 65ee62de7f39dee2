import { batteryMisalignment } from './battery-misalignment.ts';
import { breakerOpenUnderLoad } from './breaker-open-under-load.ts';
import { converterEfficiency } from './converter-efficiency.ts';
import { converterErrorCounter } from './converter-error-counter.ts';
import { detailStatusFaultBits } from './detail-status-fault-bits.ts';
import { energyShortfall } from './energy-shortfall.ts';
import { meterDataQuality } from './meter-data-quality.ts';
import { noEnergyDelivered } from './no-energy-delivered.ts';
import { ocppFaulted } from './ocpp-faulted.ts';
import { powerDerating } from './power-derating.ts';
import type { Rule } from './rule.ts';
import { socShortfall } from './soc-shortfall.ts';

/** Every rule the scan runs, in the order their findings are listed. Add new rules here. */
// biome-ignore lint/suspicious/noExplicitAny: each rule has its own thresholds type
export const RULES: readonly Rule<any>[] = [
  converterErrorCounter,
  batteryMisalignment,
  breakerOpenUnderLoad,
  socShortfall,
  energyShortfall,
  converterEfficiency,
  ocppFaulted,
  detailStatusFaultBits,
  noEnergyDelivered,
  meterDataQuality,
  powerDerating,
];

/** The ids of all rules, for config validation and summaries. */
export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);
