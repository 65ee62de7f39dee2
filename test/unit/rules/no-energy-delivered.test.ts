import { describe, expect, it } from 'vitest';
import { noEnergyDelivered } from '../../../functions/core/rules/no-energy-delivered.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = noEnergyDelivered.defaults;
const session = (
  deliveredWh: number | undefined,
  minutes: number,
  soc: [number, number] = [85, 85],
) =>
  healthyReport({
    sessionTimeStart: '2026-11-23T16:00:00.000Z',
    sessionTimeEnd: new Date(
      Date.parse('2026-11-23T16:00:00.000Z') + minutes * 60_000,
    ).toISOString(),
    energyChargeStart: deliveredWh === undefined ? undefined : 1_000_000,
    energyChargeEnd: deliveredWh === undefined ? undefined : 1_000_000 + deliveredWh,
    energySocStart: soc[0],
    energySocEnd: soc[1],
  });

describe('no-energy-delivered', () => {
  it('fires just under the energy threshold and not at it', () => {
    expect(noEnergyDelivered.evaluate(session(99, 10), t, ORIGIN)).toHaveLength(1);
    expect(noEnergyDelivered.evaluate(session(100, 10), t, ORIGIN)).toEqual([]);
  });

  it('judges sessions from the minimum duration on', () => {
    expect(noEnergyDelivered.evaluate(session(0, 1.9), t, ORIGIN)).toEqual([]);
    expect(noEnergyDelivered.evaluate(session(0, 2), t, ORIGIN)).toHaveLength(1);
  });

  it('falls back to the state of charge when there is no DC meter', () => {
    expect(noEnergyDelivered.evaluate(session(undefined, 10, [60, 60]), t, ORIGIN)).toHaveLength(1);
    expect(noEnergyDelivered.evaluate(session(undefined, 10, [60, 61]), t, ORIGIN)).toEqual([]);
  });

  it('leaves a meter running backwards to meter-data-quality, and stays quiet without times', () => {
    expect(noEnergyDelivered.evaluate(session(-50, 10), t, ORIGIN)).toEqual([]);
    expect(
      noEnergyDelivered.evaluate(healthyReport({ sessionTimeEnd: undefined }), t, ORIGIN),
    ).toEqual([]);
  });
});
