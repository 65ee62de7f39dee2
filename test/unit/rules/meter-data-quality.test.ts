import { describe, expect, it } from 'vitest';
import { meterDataQuality } from '../../../functions/core/rules/meter-data-quality.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = meterDataQuality.defaults;
const keys = (report: ReturnType<typeof healthyReport>) =>
  meterDataQuality.evaluate(report, t, ORIGIN).map((f) => f.title);

describe('meter-data-quality', () => {
  it('stays quiet for a healthy report', () => {
    expect(keys(healthyReport())).toEqual([]);
  });

  it('flags a counter that ran backwards by one Wh, not one that stood still', () => {
    expect(keys(healthyReport({ energyChargeStart: 100, energyChargeEnd: 99 }))).toEqual([
      'Data quality: DC energy meter ran backwards — HPC-007/2',
    ]);
    expect(keys(healthyReport({ energyChargeStart: 100, energyChargeEnd: 100 }))).toEqual([]);
  });

  it('flags a rise above the session maximum, not one at it', () => {
    expect(
      keys(
        healthyReport({
          energyPrimaryStart: 0,
          energyPrimaryEnd: 2_000_000,
          energyChargeEnd: undefined,
        }),
      ),
    ).toEqual([]);
    expect(
      keys(
        healthyReport({
          energyPrimaryStart: 0,
          energyPrimaryEnd: 2_000_001,
          energyChargeEnd: undefined,
        }),
      ),
    ).toHaveLength(1);
  });

  it('flags SoC outside 0–100 % and accepts the bounds', () => {
    expect(keys(healthyReport({ energySocStart: 0, energySocEnd: 100 }))).toEqual([]);
    expect(keys(healthyReport({ energySocStart: -1, energySocEnd: 100.5 }))).toHaveLength(2);
  });

  it('flags a session that ends before it starts', () => {
    const report = healthyReport({
      sessionTimeStart: '2026-11-23T16:00:00Z',
      sessionTimeEnd: '2026-11-23T15:59:59Z',
    });
    expect(keys(report)).toEqual(['Data quality: Session ends before it starts — HPC-007/2']);
  });

  it('flags more DC energy out than grid energy in beyond the tolerance', () => {
    const meters = (dc: number, grid: number) =>
      healthyReport({
        energyChargeStart: 0,
        energyChargeEnd: dc,
        energyPrimaryStart: 0,
        energyPrimaryEnd: grid,
      });
    expect(keys(meters(101_000, 100_000))).toEqual([]);
    expect(keys(meters(101_100, 100_000))).toHaveLength(1);
  });

  it('gives each problem its own fingerprint', () => {
    const report = healthyReport({ energyChargeStart: 5, energyChargeEnd: 1, energySocEnd: 140 });
    const findings = meterDataQuality.evaluate(report, t, ORIGIN);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });
});
