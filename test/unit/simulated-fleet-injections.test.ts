import { describe, expect, it } from 'vitest';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { type FleetOptions, SimulatedFleet } from '../../functions/simulator/fleet.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-24T00:00:00.000Z');
const ENDS_AT = NOW - 5 * DAY;
const BEGINS = ENDS_AT - 10 * DAY;
const BASE: Partial<FleetOptions> = { seed: 11, chargers: 4, anomalyEvery: 5, invalidEvery: 17 };
const INJECTED: Partial<FleetOptions> = {
  ...BASE,
  faultyVehicle: 'BUS-123',
  drift: {
    chargerId: 'HPC-002',
    connectorId: '1',
    fromPercent: 95,
    toPercent: 91,
    days: 10,
    endsAt: ENDS_AT,
  },
};
const thresholds = defaultThresholds();

/** Thirty days of every connector: 15 healthy, 10 drifting, 5 at the drift's end. */
function sessionsOf(fleet: SimulatedFleet) {
  return fleet
    .chargerIds()
    .flatMap((chargerId) =>
      fleet
        .connectorIds()
        .flatMap((connectorId) =>
          fleet.sessionsBetween(chargerId, connectorId, NOW - 30 * DAY, NOW, NOW),
        ),
    );
}

const injected = sessionsOf(new SimulatedFleet(INJECTED));
const baseline = sessionsOf(new SimulatedFleet(BASE));
const key = (s: { chargerId: string; connectorId: string; sessionId: number }) =>
  `${s.chargerId}/${s.connectorId}/${s.sessionId}`;
const baselineByKey = new Map(baseline.map((s) => [key(s), s]));

function rulesRaisedBy(session: (typeof injected)[number]): string[] {
  const validation = validateSessionReport(JSON.parse(JSON.stringify(session.report)));
  if (!validation.ok) throw new Error(`session ${session.sessionId} invalid: ${validation.reason}`);
  const { findings, ruleErrors } = evaluateReport(validation.report, thresholds, session);
  expect(ruleErrors).toEqual([]);
  return [...new Set(findings.map((f) => f.rule))];
}

/** Efficiency in percent, from the meter readings alone. */
function efficiencyOf(session: (typeof injected)[number]): number {
  const r = session.report as Record<string, number>;
  return (
    (((r.energyChargeEnd as number) - (r.energyChargeStart as number)) /
      ((r.energyPrimaryEnd as number) - (r.energyPrimaryStart as number))) *
    100
  );
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const isFaultyBus = (s: (typeof injected)[number]) => s.report.vehicleId === 'BUS-123';
const isDrifting = (s: (typeof injected)[number]) =>
  s.chargerId === 'HPC-002' && s.connectorId === '1';

describe('a simulated fleet with a faulty vehicle', () => {
  const ofBus = injected.filter(isFaultyBus);

  it('fails battery alignment on every session of that bus, whichever charger it uses', () => {
    expect(ofBus.length).toBeGreaterThan(15);
    expect(new Set(ofBus.map((s) => `${s.chargerId}/${s.connectorId}`)).size).toBeGreaterThan(4);
    for (const s of ofBus) {
      expect(s.invalid).toBe(false);
      expect(s.anomaly).toBe('battery-misalignment');
      expect(s.report.batteryAlignmentResults.inRange).toBe(false);
      const { presentVoltage, requestedVoltage } = s.report.batteryAlignmentResults;
      expect(requestedVoltage - presentVoltage).toBeGreaterThanOrEqual(30);
    }
  });

  it('raises exactly battery-misalignment on each of them, even where a rotating fault was due', () => {
    const wrong = ofBus
      .map((s) => ({ id: s.sessionId, raised: rulesRaisedBy(s) }))
      .filter(({ raised }) => raised.join() !== 'battery-misalignment');
    expect(wrong).toEqual([]);
    // The rotation would have put other faults on some of these sessions; they were skipped.
    const rotated = ofBus.filter((s) => {
      const before = baselineByKey.get(key(s));
      return before?.anomaly !== undefined || before?.invalid;
    });
    expect(rotated.length).toBeGreaterThan(0);
  });

  it('leaves every session of the other vehicles as it was without the injections', () => {
    const others = injected.filter((s) => !isFaultyBus(s) && !isDrifting(s));
    expect(others.length).toBeGreaterThan(1_500);
    for (const s of others) expect(s).toEqual(baselineByKey.get(key(s)));
    expect(others.some((s) => s.anomaly === 'battery-misalignment')).toBe(true);
  });
});

describe('a simulated fleet with a drifting converter', () => {
  const drifting = injected.filter(isDrifting);
  const before = drifting.filter((s) => s.start < BEGINS);
  const during = drifting.filter((s) => s.start >= BEGINS && s.start < ENDS_AT);
  const after = drifting.filter((s) => s.start >= ENDS_AT);

  it('is healthy, near fromPercent, before the drift begins', () => {
    expect(before.length).toBeGreaterThan(100);
    for (const s of before) expect(Math.abs(efficiencyOf(s) - 95)).toBeLessThanOrEqual(1.5);
    // Untouched: the same healthy sessions as without the drift, only its rotating faults gone.
    const plain = before.filter((x) => {
      const was = baselineByKey.get(key(x));
      return !isFaultyBus(x) && !was?.anomaly && !was?.invalid;
    });
    expect(plain.length).toBeGreaterThan(80);
    for (const s of plain) expect(s).toEqual(baselineByKey.get(key(s)));
  });

  it('declines through the drift, strictly between its ends on average, and stays at toPercent after', () => {
    expect(during.length).toBeGreaterThan(70);
    expect(after.length).toBeGreaterThan(30);
    for (const s of after) expect(Math.abs(efficiencyOf(s) - 91)).toBeLessThanOrEqual(1);
    const half = BEGINS + 5 * DAY;
    const early = mean(during.filter((s) => s.start < half).map(efficiencyOf));
    const late = mean(during.filter((s) => s.start >= half).map(efficiencyOf));
    expect(early).toBeLessThan(95);
    expect(late).toBeGreaterThan(91);
    expect(early).toBeGreaterThan(late + 1);
    const middle = mean(during.map(efficiencyOf));
    expect(middle).toBeGreaterThan(92);
    expect(middle).toBeLessThan(94);
  });

  it('follows the line within its half-point noise, as the session records', () => {
    for (const s of [...during, ...after]) {
      const progress = Math.min(1, (s.start - BEGINS) / (10 * DAY));
      const line = 95 - 4 * progress;
      expect(Math.abs((s.efficiencyPercent ?? 0) - line)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(efficiencyOf(s) - (s.efficiencyPercent ?? 0))).toBeLessThan(0.01);
    }
    expect(before.every((s) => s.efficiencyPercent === undefined)).toBe(true);
  });

  it('never fires converter-efficiency, nor anything but the faulty bus on that connector', () => {
    expect(drifting.every((s) => !s.invalid)).toBe(true);
    const raised = drifting.map((s) => ({ bus: isFaultyBus(s), rules: rulesRaisedBy(s) }));
    expect(raised.filter((r) => !r.bus && r.rules.length > 0)).toEqual([]);
    expect(
      raised.filter((r) => r.bus).every((r) => r.rules.join() === 'battery-misalignment'),
    ).toBe(true);
  });
});

describe('the injections stay deterministic', () => {
  it('gives the same sessions for the same options', () => {
    expect(sessionsOf(new SimulatedFleet(INJECTED))).toEqual(injected);
  });

  it('refuses a drift it cannot simulate', () => {
    const drift = INJECTED.drift as NonNullable<FleetOptions['drift']>;
    expect(() => new SimulatedFleet({ drift: { ...drift, days: 0 } })).toThrow(/drift.days/);
    expect(() => new SimulatedFleet({ drift: { ...drift, toPercent: 120 } })).toThrow(
      /drift.toPercent/,
    );
  });
});
