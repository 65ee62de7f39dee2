import * as z from 'zod/mini';
import { STANDARD_CONFIRM } from '../incidents/confirm.ts';
import { kwh, meterDelta } from './energy.ts';
import { enabledSchema, finding, type Rule, round1, severitySchema } from './rule.ts';

/**
 * Catches a converter that turns too much grid energy into heat: DC energy delivered over
 * grid energy drawn falls below what healthy power modules achieve (about 95 %). A failing
 * module, fouled cooling or a module stuck in a poor operating point all show here first.
 */
const schema = z.strictObject({
  enabled: enabledSchema,
  /** Efficiency (DC over grid energy) below this raises a finding. */
  minEfficiencyPercent: z.number().check(z.minimum(0), z.maximum(100)),
  /** Sessions that drew less grid energy than this are too short to judge. */
  minGridEnergyWh: z.number().check(z.minimum(0)),
  severity: severitySchema,
});

export type ConverterEfficiencyThresholds = z.infer<typeof schema>;

export const converterEfficiency: Rule<ConverterEfficiencyThresholds> = {
  id: 'converter-efficiency',
  summary: 'The converter delivered too little DC energy for the grid energy it drew.',
  schema,
  confirm: STANDARD_CONFIRM,
  defaults: {
    enabled: true,
    minEfficiencyPercent: 90,
    minGridEnergyWh: 5_000,
    severity: 'warning',
  },
  evaluate(report, t, origin) {
    const dc = meterDelta(report, 'energyCharge');
    const grid = meterDelta(report, 'energyPrimary');
    if (dc === undefined || grid === undefined || grid < t.minGridEnergyWh || dc < 0) return [];
    const efficiency = (dc / grid) * 100;
    if (efficiency >= t.minEfficiencyPercent) return [];
    return [
      finding(this.id, report, origin, {
        severity: t.severity,
        title: `Converter efficiency ${round1(efficiency)}%`,
        message:
          `The charger drew ${kwh(grid)} from the grid and delivered ${kwh(dc)} DC: ${round1(efficiency)}% efficiency, ` +
          `below ${t.minEfficiencyPercent}%. Check the power modules and their cooling (fans, filters, coolant).`,
        evidence: {
          dcEnergyWh: dc,
          gridEnergyWh: grid,
          efficiencyPercent: round1(efficiency),
          minEfficiencyPercent: t.minEfficiencyPercent,
        },
      }),
    ];
  },
};
