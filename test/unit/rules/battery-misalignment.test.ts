import { describe, expect, it } from 'vitest';
import { batteryMisalignment } from '../../../functions/core/rules/battery-misalignment.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const defaults = batteryMisalignment.defaults;

function aligned(presentVoltage: number, requestedVoltage: number, inRange = true) {
  return healthyReport({ batteryAlignmentResults: { inRange, presentVoltage, requestedVoltage } });
}

describe('battery-misalignment', () => {
  it('is critical when the check itself failed, with the voltages in the message', () => {
    const [finding] = batteryMisalignment.evaluate(aligned(600, 640, false), defaults, ORIGIN);
    expect(finding?.severity).toBe('critical');
    expect(finding?.message).toContain('present 600 V vs requested 640 V (gap 40 V');
  });

  it('is critical for a failed check even without voltages', () => {
    const report = healthyReport({ batteryAlignmentResults: { inRange: false } });
    const [finding] = batteryMisalignment.evaluate(report, defaults, ORIGIN);
    expect(finding?.severity).toBe('critical');
    expect(finding?.message).toContain('no voltages reported');
  });

  it('warns about a gap just above the 2 % tolerance and not at it', () => {
    // 2 % of 700 V is 14 V, which beats the 10 V floor.
    expect(batteryMisalignment.evaluate(aligned(686, 700), defaults, ORIGIN)).toEqual([]);
    const [finding] = batteryMisalignment.evaluate(aligned(685.9, 700), defaults, ORIGIN);
    expect(finding?.severity).toBe('warning');
  });

  it('uses the 10 V floor at low voltages', () => {
    expect(batteryMisalignment.evaluate(aligned(390, 400), defaults, ORIGIN)).toEqual([]);
    expect(batteryMisalignment.evaluate(aligned(389.9, 400), defaults, ORIGIN)).toHaveLength(1);
  });

  it('stays quiet without an alignment result', () => {
    const report = healthyReport({ batteryAlignmentResults: undefined });
    expect(batteryMisalignment.evaluate(report, defaults, ORIGIN)).toEqual([]);
  });
});
