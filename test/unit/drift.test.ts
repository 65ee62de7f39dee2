import { describe, expect, it } from 'vitest';
import { type DriftState, observeDrift } from '../../functions/core/incidents/drift.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';

const ORIGIN = { chargerId: 'HPC-007', connectorId: '2' };
const SETTINGS = DEFAULT_INCIDENT_SETTINGS.drift;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

/** Feeds efficiencies, four sessions a day from T0, and returns each session's drift findings. */
function feed(state: DriftState, values: number[], firstSession = 0, fired = new Set<string>()) {
  return values.map((efficiencyPercent, i) => {
    const n = firstSession + i;
    const at = new Date(T0 + n * 6 * 3_600_000).toISOString();
    return observeDrift(
      state,
      {
        sessionId: `s${n}`,
        at,
        facts: { day: at.slice(0, 10), efficiencyPercent, reachedTarget: true, faultedMinutes: 0 },
      },
      ORIGIN,
      SETTINGS,
      fired,
    );
  });
}

describe('drift against the connector’s own baseline', () => {
  it('fires once the median of the last eight sessions is 2.5 points under the median of daily medians', () => {
    const state: DriftState = {};
    // Twelve days at 95 %: judged from the 7th closed day on, and quiet.
    expect(feed(state, Array(48).fill(95)).flatMap((r) => r.findings)).toEqual([]);
    // Then 92 %: with k low sessions among the last eight the median is 95 (k < 4), 93.5 (k = 4,
    // a drop of 1.5: not yet), then 92 (k = 5, a drop of 3.0).
    const results = feed(state, Array(6).fill(92), 48);
    expect(results.map((r) => r.findings.length)).toEqual([0, 0, 0, 0, 1, 1]);
    const finding = results[4]?.findings[0];
    expect(finding).toMatchObject({
      rule: 'converter-efficiency-drift',
      severity: 'warning',
      chargerId: 'HPC-007',
      connectorId: '2',
      sessionId: 's52',
    });
    expect(finding?.evidence).toMatchObject({
      baseline: 95,
      current: 92,
      change: 3,
      minChange: 2.5,
    });
    expect(finding?.evidence.sessions).toBe('s45, s46, s47, s48, s49, s50, s51, s52');
  });

  it('never lets drifting values into the baseline, so a lasting decline keeps firing', () => {
    const state: DriftState = {};
    feed(state, Array(48).fill(95));
    const results = feed(state, Array(80).fill(92), 48);
    expect(results.slice(4).every((r) => r.findings.length === 1)).toBe(true);
    expect(results.at(-1)?.findings[0]?.evidence.baseline).toBe(95);
  });

  it('leaves a session to the fixed-threshold rule when that rule fired on it', () => {
    const state: DriftState = {};
    feed(state, Array(48).fill(95));
    const fixed = feed(state, Array(10).fill(85), 48, new Set(['converter-efficiency']));
    // Judged by nothing here: no finding, and the drift rule is inhibited (neither clean nor failed).
    expect(fixed.every((r) => r.findings.length === 0)).toBe(true);
    expect(fixed[0]?.inhibited).toContain('converter-efficiency-drift');
    // And the values never reached the baseline or the recent sessions.
    expect(state['converter-efficiency-drift']?.recent.every(([, v]) => v === 95)).toBe(true);
  });

  it('judges nothing before it has seven days of baseline', () => {
    const state: DriftState = {};
    // Four days at 95 %, then far lower: no baseline yet, no finding.
    feed(state, Array(16).fill(95));
    expect(feed(state, Array(10).fill(80), 16).flatMap((r) => r.findings)).toEqual([]);
  });
});
