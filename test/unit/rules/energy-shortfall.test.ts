import { describe, expect, it } from 'vitest';
import { energyShortfall } from '../../../functions/core/rules/energy-shortfall.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = energyShortfall.defaults;
const session = (deliveredWh: number, requestedWh: number) =>
  healthyReport({
    energyChargeStart: 1_000_000,
    energyChargeEnd: 1_000_000 + deliveredWh,
    energyRequestedStart: 2_000_000,
    energyRequestedEnd: 2_000_000 + requestedWh,
  });

describe('energy-shortfall', () => {
  it('stays quiet at 97 % and fires just below it', () => {
    expect(energyShortfall.evaluate(session(97_000, 100_000), t, ORIGIN)).toEqual([]);
    const [finding] = energyShortfall.evaluate(session(96_900, 100_000), t, ORIGIN);
    expect(finding?.evidence).toMatchObject({ deliveredPercent: 96.9, minDeliveredPercent: 97 });
    expect(finding?.message).toContain('delivered 96.9 kWh of the 100 kWh requested');
  });

  it('leaves sessions that delivered almost nothing to no-energy-delivered', () => {
    expect(energyShortfall.evaluate(session(999, 100_000), t, ORIGIN)).toEqual([]);
    expect(energyShortfall.evaluate(session(1_000, 100_000), t, ORIGIN)).toHaveLength(1);
  });

  it('stays quiet when a counter is missing or nothing was requested', () => {
    expect(
      energyShortfall.evaluate(healthyReport({ energyRequestedStart: undefined }), t, ORIGIN),
    ).toEqual([]);
    expect(energyShortfall.evaluate(session(50_000, 0), t, ORIGIN)).toEqual([]);
  });
});
