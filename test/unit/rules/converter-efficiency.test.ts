import { describe, expect, it } from 'vitest';
import { converterEfficiency } from '../../../functions/core/rules/converter-efficiency.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = converterEfficiency.defaults;
const session = (dcWh: number, gridWh: number) =>
  healthyReport({
    energyChargeStart: 1_000_000,
    energyChargeEnd: 1_000_000 + dcWh,
    energyPrimaryStart: 290_000_000,
    energyPrimaryEnd: 290_000_000 + gridWh,
  });

describe('converter-efficiency', () => {
  it('stays quiet at 90 % and fires just below it', () => {
    expect(converterEfficiency.evaluate(session(90_000, 100_000), t, ORIGIN)).toEqual([]);
    const [finding] = converterEfficiency.evaluate(session(89_900, 100_000), t, ORIGIN);
    expect(finding?.title).toContain('Converter efficiency 89.9%');
  });

  it("stays quiet on the vendor example's 95 %", () => {
    expect(converterEfficiency.evaluate(session(37_264, 39_261), t, ORIGIN)).toEqual([]);
  });

  it('does not judge sessions that drew less than the minimum grid energy', () => {
    expect(converterEfficiency.evaluate(session(1_000, 4_999), t, ORIGIN)).toEqual([]);
    expect(converterEfficiency.evaluate(session(1_000, 5_000), t, ORIGIN)).toHaveLength(1);
  });

  it('stays quiet when a meter is missing or ran backwards', () => {
    expect(
      converterEfficiency.evaluate(healthyReport({ energyPrimaryEnd: undefined }), t, ORIGIN),
    ).toEqual([]);
    expect(converterEfficiency.evaluate(session(-500, 100_000), t, ORIGIN)).toEqual([]);
  });
});
