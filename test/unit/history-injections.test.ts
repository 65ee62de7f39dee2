import { describe, expect, it } from 'vitest';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import {
  type GeneratedSession,
  generateHistory,
  type HistoryOptions,
  type InjectedDrift,
  sessionsOf,
  type VehicleFault,
} from '../helpers/history.ts';

const DAY = 86_400_000;
const START = '2026-03-02T00:00:00.000Z';
const at = (days: number) => new Date(Date.parse(START) + days * DAY).toISOString();
const FLEET: HistoryOptions = {
  seed: 31,
  chargers: 3,
  connectors: 2,
  days: 21,
  everyHours: 4,
  start: START,
};
const thresholds = defaultThresholds();
const rulesOf = (s: GeneratedSession) => [
  ...new Set(evaluateReport(s.report, thresholds, s).findings.map((f) => f.rule)),
];
/** Efficiency in percent, from the meter readings alone. */
const meterEfficiency = (s: GeneratedSession) =>
  (((s.report.energyChargeEnd ?? 0) - (s.report.energyChargeStart ?? 0)) /
    ((s.report.energyPrimaryEnd ?? 0) - (s.report.energyPrimaryStart ?? 0))) *
  100;

describe('a history with a vehicle fault', () => {
  const fault: VehicleFault = {
    vehicleId: 'BUS-117',
    rule: 'battery-misalignment',
    severity: 'critical',
    from: at(5),
    until: at(15),
  };
  const history = generateHistory({ ...FLEET, faults: [fault] });
  const within = (s: GeneratedSession) => s.start >= fault.from && s.start < fault.until;
  const ofBus = history.sessions.filter((s) => s.vehicleId === 'BUS-117' && within(s));

  it('fires its rule on every session of that bus in its window, across several connectors', () => {
    expect(ofBus.length).toBeGreaterThan(5);
    expect(new Set(ofBus.map((s) => `${s.chargerId}/${s.connectorId}`)).size).toBeGreaterThan(2);
    for (const s of ofBus) {
      expect(s.report.vehicleId).toBe('BUS-117');
      expect(s.faults).toEqual([{ rule: 'battery-misalignment', severity: 'critical' }]);
      expect(rulesOf(s)).toEqual(['battery-misalignment']);
    }
  });

  it('fires on no other vehicle, nor on that bus outside its window', () => {
    const rest = history.sessions.filter((s) => !ofBus.includes(s));
    expect(rest.some((s) => s.vehicleId === 'BUS-117')).toBe(true);
    for (const s of rest) {
      expect(s.faults).toEqual([]);
      expect(rulesOf(s)).toEqual([]);
    }
  });

  it('moves no session: the reports are those of the healthy history, but for the faulty ones', () => {
    const healthy = generateHistory(FLEET);
    history.sessions.forEach((s, i) => {
      const plain = healthy.sessions[i] as GeneratedSession;
      expect(s.vehicleId).toBe(plain.vehicleId);
      if (!ofBus.includes(s)) expect(s).toEqual(plain);
    });
  });

  it('refuses a fault that names both a connector and a vehicle, or neither', () => {
    const both = { ...fault, chargerId: 'HPC-01', connectorId: '1' };
    expect(() => generateHistory({ ...FLEET, faults: [both] })).toThrow(/not both/);
    const { vehicleId: _, ...neither } = fault;
    expect(() => generateHistory({ ...FLEET, faults: [neither as VehicleFault] })).toThrow(
      /not neither/,
    );
  });
});

describe('a history with a drifting converter', () => {
  const drift: InjectedDrift = {
    chargerId: 'HPC-02',
    connectorId: '1',
    from: at(7),
    until: at(17),
    fromPercent: 95,
    toPercent: 91,
  };
  const history = generateHistory({ ...FLEET, drifts: [drift] });
  const drifting = sessionsOf(history, 'HPC-02', '1');
  const before = drifting.filter((s) => s.start < drift.from);
  const since = drifting.filter((s) => s.start >= drift.from);
  const line = (s: GeneratedSession) =>
    95 - 4 * Math.min(1, (Date.parse(s.start) - Date.parse(drift.from)) / (10 * DAY));

  it('is healthy, at 94–97 %, before the drift begins', () => {
    expect(before.length).toBe(42);
    for (const s of before) {
      expect(s.efficiencyPercent).toBeGreaterThanOrEqual(94);
      expect(s.efficiencyPercent).toBeLessThanOrEqual(97);
    }
  });

  it('follows the line from 95 % to 91 % within 0.6 point, then stays at 91 %', () => {
    expect(since.length).toBe(84);
    for (const s of since) {
      expect(Math.abs(s.efficiencyPercent - line(s))).toBeLessThanOrEqual(0.6);
      expect(Math.abs(meterEfficiency(s) - s.efficiencyPercent)).toBeLessThan(0.01);
    }
    const after = since.filter((s) => s.start >= drift.until);
    expect(after.length).toBeGreaterThan(20);
    for (const s of after) expect(Math.abs(s.efficiencyPercent - 91)).toBeLessThanOrEqual(0.5);
  });

  it('fires nothing while it stays above the 90 % floor', () => {
    for (const s of drifting) {
      expect(s.faults).toEqual([]);
      expect(rulesOf(s)).toEqual([]);
    }
  });

  it('moves no session on any other connector, nor before the drift', () => {
    const healthy = generateHistory(FLEET);
    history.sessions.forEach((s, i) => {
      if (!since.includes(s)) expect(s).toEqual(healthy.sessions[i]);
    });
  });

  it('records converter-efficiency on the sessions a drift takes under the floor', () => {
    const deep = generateHistory({ ...FLEET, drifts: [{ ...drift, toPercent: 88 }] });
    const under = sessionsOf(deep, 'HPC-02', '1').filter((s) => meterEfficiency(s) < 90);
    expect(under.length).toBeGreaterThan(20);
    for (const s of under)
      expect(s.faults).toEqual([{ rule: 'converter-efficiency', severity: 'warning' }]);
  });
});
