import { describe, expect, it } from 'vitest';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { RULE_IDS } from '../../functions/core/rules/registry.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { ANOMALY_KINDS } from '../../functions/simulator/anomalies.ts';
import { SimulatedFleet } from '../../functions/simulator/fleet.ts';

// Two weeks of a 12-charger depot: about 2,200 sessions, every kind of injected fault many times.
const fleet = new SimulatedFleet({ seed: 11, chargers: 12, anomalyEvery: 5, invalidEvery: 17 });
const NOW = Date.parse('2026-11-24T00:00:00.000Z');
const sessions = fleet
  .chargerIds()
  .flatMap((chargerId) =>
    fleet
      .connectorIds()
      .flatMap((connectorId) =>
        fleet.sessionsBetween(chargerId, connectorId, NOW - 14 * 86_400_000, NOW, NOW),
      ),
  );
const thresholds = defaultThresholds();

function rulesRaisedBy(session: (typeof sessions)[number]) {
  const validation = validateSessionReport(JSON.parse(JSON.stringify(session.report)));
  if (!validation.ok) throw new Error(`session ${session.sessionId} invalid: ${validation.reason}`);
  const { findings, ruleErrors } = evaluateReport(validation.report, thresholds, session);
  expect(ruleErrors).toEqual([]);
  return findings.map((f) => f.rule);
}

describe('the simulated fleet against the rules with default thresholds', () => {
  it('injects every kind of fault, one for each rule', () => {
    expect([...ANOMALY_KINDS].sort()).toEqual([...RULE_IDS].sort());
    const injected = new Set(sessions.map((s) => s.anomaly).filter(Boolean));
    expect(injected.size).toBe(RULE_IDS.length);
  });

  it('raises no finding on any healthy session', () => {
    const healthy = sessions.filter((s) => !s.anomaly && !s.invalid);
    expect(healthy.length).toBeGreaterThan(1_500);
    const noisy = healthy
      .filter((s) => rulesRaisedBy(s).length > 0)
      .map((s) => `${s.sessionId}: ${rulesRaisedBy(s)}`);
    expect(noisy).toEqual([]);
  });

  it('raises exactly the finding meant for every injected fault, and nothing else', () => {
    const faulty = sessions.filter((s) => s.anomaly);
    expect(faulty.length).toBeGreaterThan(300);
    const wrong = faulty
      .map((s) => ({ id: s.sessionId, meant: s.anomaly, raised: [...new Set(rulesRaisedBy(s))] }))
      .filter(({ meant, raised }) => raised.length !== 1 || raised[0] !== meant);
    expect(wrong).toEqual([]);
  });

  it('serves the invalid share with a wrong type, which validation rejects', () => {
    const invalid = sessions.filter((s) => s.invalid);
    expect(invalid.length).toBeGreaterThan(50);
    for (const s of invalid) expect(validateSessionReport(s.report).ok).toBe(false);
  });
});
