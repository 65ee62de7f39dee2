import { describe, expect, it } from 'vitest';
import { peakPowerW, powerDerating } from '../../../functions/core/rules/power-derating.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = powerDerating.defaults;
const at = (minute: number) => `2026-11-23T16:${String(minute).padStart(2, '0')}:00.000Z`;

/** Two hours, 100 kWh (50 kW average); the vehicle allows 200 kW, the station 450 kW. */
function session(peakAmps: number, volts = 500, socStart = 40) {
  return healthyReport({
    sessionTimeStart: at(0),
    sessionTimeEnd: '2026-11-23T18:00:00.000Z',
    energySocStart: socStart,
    energyChargeStart: 0,
    energyChargeEnd: 100_000,
    chargeParameters: [
      { paramType: 'Station', maxPower: 450_000 },
      { paramType: 'Request', maxPower: 200_000 },
    ],
    sessionMeterValues: [
      { key: 'present_voltage', value: volts, eventTimestamp: at(1) },
      { key: 'present_current', value: peakAmps, eventTimestamp: at(2) },
      { key: 'present_current', value: 10, eventTimestamp: at(30) },
    ],
  });
}

describe('power-derating', () => {
  it('stays quiet at half the vehicle maximum and fires just below it', () => {
    expect(powerDerating.evaluate(session(200), t, ORIGIN)).toEqual([]); // 100 kW of 200 kW
    const [finding] = powerDerating.evaluate(session(199), t, ORIGIN);
    expect(finding?.evidence).toMatchObject({
      peakPowerKw: 99.5,
      allowedPowerKw: 200,
      peakPercent: 49.8,
    });
  });

  it('does not judge a vehicle that started nearly full, or a session with little energy', () => {
    expect(powerDerating.evaluate(session(150, 500, 80), t, ORIGIN)).toEqual([]);
    expect(powerDerating.evaluate(session(150, 500, 79), t, ORIGIN)).toHaveLength(1);
    expect(powerDerating.evaluate({ ...session(150), energyChargeEnd: 4_999 }, t, ORIGIN)).toEqual(
      [],
    );
  });

  it('stays quiet without power limits or without both current and voltage samples', () => {
    expect(
      powerDerating.evaluate({ ...session(150), chargeParameters: undefined }, t, ORIGIN),
    ).toEqual([]);
    const currentOnly = {
      ...session(150),
      sessionMeterValues: [{ key: 'present_current', value: 50 }],
    };
    expect(powerDerating.evaluate(currentOnly, t, ORIGIN)).toEqual([]);
  });

  it('does not judge samples that peak below the average power: they missed the charge', () => {
    // 100 kWh in 60 minutes is 100 kW on average; a 50 kW "peak" cannot be the real one.
    const report = {
      ...session(100),
      sessionTimeStart: at(0),
      sessionTimeEnd: '2026-11-23T17:00:00.000Z',
    };
    expect(powerDerating.evaluate(report, t, ORIGIN)).toEqual([]);
    const slower = { ...report, sessionTimeEnd: '2026-11-23T18:00:00.000Z' }; // 50 kW average
    expect(powerDerating.evaluate(slower, t, ORIGIN)).toHaveLength(1);
  });

  it('pairs each sample with the latest reading of the other quantity', () => {
    expect(peakPowerW(session(300, 600))).toBe(180_000);
    expect(peakPowerW(healthyReport({ sessionMeterValues: [] }))).toBeUndefined();
  });
});
