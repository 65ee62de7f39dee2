import { describe, expect, it } from 'vitest';
import { socShortfall } from '../../../functions/core/rules/soc-shortfall.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const defaults = socShortfall.defaults;

function session(socStart: number, socEnd: number, minutes: number) {
  const start = Date.parse('2026-11-23T16:00:00.000Z');
  return healthyReport({
    energySocStart: socStart,
    energySocEnd: socEnd,
    sessionTimeStart: new Date(start).toISOString(),
    sessionTimeEnd: new Date(start + minutes * 60_000).toISOString(),
  });
}

const discriminators = (report: ReturnType<typeof session>) =>
  socShortfall.evaluate(report, defaults, ORIGIN).map((f) => f.evidence);

describe('soc-shortfall', () => {
  it('flags an end just below target and not one at target', () => {
    expect(socShortfall.evaluate(session(40, 80, 40), defaults, ORIGIN)).toEqual([]);
    const [finding] = socShortfall.evaluate(session(40, 79, 40), defaults, ORIGIN);
    expect(finding?.title).toContain('Left at 79% SoC, target 80%');
  });

  it('flags a stall just below the minimum gain per hour and not at it', () => {
    // 60 minutes, target 100 % so only the stall can fire.
    const t = { ...defaults, targetSocPercent: 100 };
    expect(
      socShortfall.evaluate(session(50, 60, 60), { ...t, targetSocPercent: 60 }, ORIGIN),
    ).toEqual([]);
    const findings = socShortfall.evaluate(session(50, 59.9, 60), t, ORIGIN);
    expect(findings.map((f) => f.evidence.socGainPerHour)).toContain(9.9);
  });

  it('does not judge a stall on a session shorter than the minimum duration', () => {
    const t = { ...defaults, targetSocPercent: 0 };
    expect(socShortfall.evaluate(session(50, 51, 29), t, ORIGIN)).toEqual([]);
    expect(discriminators(session(50, 51, 29))).toHaveLength(1); // only the target finding
  });

  it('never fires when a SoC field is missing', () => {
    expect(
      socShortfall.evaluate(
        healthyReport({ energySocEnd: undefined, energySocStart: 10 }),
        defaults,
        ORIGIN,
      ),
    ).toEqual([]);
    expect(
      socShortfall.evaluate(
        healthyReport({ energySocStart: undefined, energySocEnd: 10 }),
        defaults,
        ORIGIN,
      ),
    ).toEqual([]);
  });

  it('does not call a top-up that started above target a stall', () => {
    expect(socShortfall.evaluate(session(85, 88, 60), defaults, ORIGIN)).toEqual([]);
  });
});
