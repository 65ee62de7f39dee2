import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../functions/core/finding.ts';
import {
  type DailyConnectorKpi,
  dailyKpisKey,
  fleetTotals,
  isKpiDay,
  type KpiSession,
  kpiRowsFromJsonLines,
  kpiRowsToJsonLines,
  kpiSessionsByDay,
  rollUpDay,
} from '../../functions/core/fleet/daily-kpis.ts';
import { type SessionFacts, sessionFacts } from '../../functions/core/session-facts.ts';

const DAY = '2026-11-24';

/** A finding with only what the rollup reads: its severity. */
const finding = (severity: Severity): Finding => ({
  rule: severity === 'critical' ? 'breaker-open-under-load' : 'converter-efficiency',
  severity,
  chargerId: 'HPC-001',
  connectorId: '1',
  sessionId: 'x',
  title: 't',
  message: 'm',
  evidence: {},
  fingerprint: `f-${severity}`,
});

const session = (
  id: string,
  facts: Partial<SessionFacts>,
  findings: Finding[] = [],
  connectorId = '1',
  chargerId = 'HPC-001',
): KpiSession => ({
  key: `${id}@${facts.day ?? DAY}`,
  origin: { chargerId, connectorId },
  facts: { day: DAY, reachedTarget: true, faultedMinutes: 0, ...facts },
  findings,
});

// Connector 1: three sessions of the day.
//   a: 120 000 Wh, 95 % efficient, reached target, no finding
//   b:  80 450 Wh, 92 % efficient, reached target, one critical finding, 12.5 min faulted
//   c:  no energy figures, no efficiency, did not reach target, one warning
// sessions 3; successful: a only (b has a critical, c missed target) → 1/3 = 0.3333
// fault-free: a only → 0.3333; energy 200 450 Wh → 200.45 kWh → 200.5 (rounded to 0.1)
// mean efficiency (95 + 92) / 2 = 93.5 over 2 sessions; faulted 12.5; findings 2, critical 1
const a = session('a', { deliveredWh: 120_000, efficiencyPercent: 95 });
const b = session('b', { deliveredWh: 80_450, efficiencyPercent: 92, faultedMinutes: 12.5 }, [
  finding('critical'),
]);
const c = session('c', { reachedTarget: false }, [finding('warning')]);

describe('rollUpDay', () => {
  it('adds a day’s sessions into one row per connector, with hand-computed figures', () => {
    const rows = rollUpDay([], DAY, [a, b, c]);
    expect(rows).toEqual([
      {
        date: DAY,
        chargerId: 'HPC-001',
        connectorId: '1',
        sessions: 3,
        successfulSessions: 1,
        faultFreeSessions: 1,
        chargingSuccessRate: 0.3333,
        faultFreeRate: 0.3333,
        energyDeliveredKwh: 200.5,
        energyDeliveredWh: 200_450,
        meanEfficiencyPercent: 93.5,
        efficiencySessions: 2,
        efficiencySumPercent: 187,
        faultedMinutes: 12.5,
        findings: 2,
        criticalFindings: 1,
        sessionKeys: ['a@2026-11-24', 'b@2026-11-24', 'c@2026-11-24'],
      },
    ]);
  });

  it('changes nothing, and returns the same array, when the same sessions come again', () => {
    const rows = rollUpDay([], DAY, [a, b]);
    expect(rollUpDay(rows, DAY, [a, b])).toBe(rows);
    expect(rollUpDay(rows, DAY, [b])).toBe(rows);
    expect(rollUpDay(rows, DAY, [])).toBe(rows);
  });

  it('counts a session once even when a batch repeats it', () => {
    const [row] = rollUpDay([], DAY, [a, a, a]);
    expect(row?.sessions).toBe(1);
    expect(row?.energyDeliveredKwh).toBe(120);
  });

  it('adds only the new session to rows already stored, and leaves the stored rows untouched', () => {
    const stored = rollUpDay([], DAY, [a]);
    const snapshot = structuredClone(stored);
    const next = rollUpDay(stored, DAY, [a, b]);
    expect(stored).toEqual(snapshot);
    // a + b: 2 sessions, 1 successful (b critical), energy 200 450 Wh → 200.5 kWh, mean 93.5
    expect(next[0]).toMatchObject({
      sessions: 2,
      successfulSessions: 1,
      faultFreeSessions: 1,
      chargingSuccessRate: 0.5,
      faultFreeRate: 0.5,
      energyDeliveredKwh: 200.5,
      meanEfficiencyPercent: 93.5,
      efficiencySessions: 2,
      faultedMinutes: 12.5,
      sessionKeys: ['a@2026-11-24', 'b@2026-11-24'],
    });
  });

  it('keeps the exact energy sum, so kWh adds up without rounding drift', () => {
    // Each session 12 340 Wh = 12.3 kWh rounded; two of them are 24 680 Wh = 24.7 kWh, not 24.6.
    const one = rollUpDay([], DAY, [session('x', { deliveredWh: 12_340 })]);
    expect(one[0]?.energyDeliveredKwh).toBe(12.3);
    const two = rollUpDay(one, DAY, [session('y', { deliveredWh: 12_340 })]);
    expect(two[0]?.energyDeliveredKwh).toBe(24.7);
  });

  it('keeps connectors apart, sorted by charger then connector in code-unit order', () => {
    const rows = rollUpDay([], DAY, [
      session('p', { deliveredWh: 50_000 }, [], '2', 'HPC-010'),
      session('q', { deliveredWh: 30_000 }, [], '2', 'HPC-002'),
      session('r', { deliveredWh: 10_000 }, [], '1', 'HPC-010'),
      // Upper case sorts before lower case in code-unit order ("Z" 0x5A < "a" 0x61).
      session('s', { deliveredWh: 1_000 }, [], 'a', 'HPC-002'),
      session('t', { deliveredWh: 2_000 }, [], 'Z', 'HPC-002'),
    ]);
    expect(rows.map((r) => `${r.chargerId}/${r.connectorId}:${r.energyDeliveredKwh}`)).toEqual([
      'HPC-002/2:30',
      'HPC-002/Z:2',
      'HPC-002/a:1',
      'HPC-010/1:10',
      'HPC-010/2:50',
    ]);
  });

  it('leaves out a session filed under another day', () => {
    const other = session('z', { day: '2026-11-23', deliveredWh: 99_000 });
    expect(rollUpDay([], DAY, [other])).toEqual([]);
    const rows = rollUpDay([], DAY, [a, other]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.sessions).toBe(1);
    expect(rows[0]?.sessionKeys).toEqual(['a@2026-11-24']);
  });

  it('counts a session with a critical finding as unsuccessful even when it reached its target', () => {
    const [row] = rollUpDay([], DAY, [b]);
    expect(row).toMatchObject({
      sessions: 1,
      successfulSessions: 0,
      chargingSuccessRate: 0,
      faultFreeSessions: 0,
      criticalFindings: 1,
    });
  });

  it('counts a warning against fault-free but not against success', () => {
    const warned = session('w', { deliveredWh: 1_000 }, [finding('warning')]);
    const [row] = rollUpDay([], DAY, [warned]);
    expect(row).toMatchObject({ successfulSessions: 1, faultFreeSessions: 0 });
  });

  it('gives a null mean efficiency when no session could be judged (no SoC or meter figures)', () => {
    // Facts of a report without SoC or grid readings: sessionFacts judges success by energy.
    const bare = session('n', { reachedTarget: false });
    const [row] = rollUpDay([], DAY, [bare]);
    expect(row).toMatchObject({
      sessions: 1,
      successfulSessions: 0,
      faultFreeSessions: 1,
      energyDeliveredKwh: 0,
      meanEfficiencyPercent: null,
      efficiencySessions: 0,
    });
  });
});

describe('rollUpDay over facts of reports without SoC figures', () => {
  it('counts a session that delivered energy as successful, and one that delivered none as not', () => {
    const base = {
      sessionTimeStart: '2026-11-24T06:00:00Z',
      sessionTimeEnd: '2026-11-24T06:40:00Z',
    };
    // 1 000 000 → 1 045 600 Wh: 45 600 Wh delivered; grid 1 000 000 → 1 048 000: 48 000 Wh,
    // efficiency 45 600 / 48 000 = 95 %. The other session's counters do not move.
    const charged = sessionFacts(
      {
        sessionId: 1,
        ...base,
        energyChargeStart: 1_000_000,
        energyChargeEnd: 1_045_600,
        energyPrimaryStart: 1_000_000,
        energyPrimaryEnd: 1_048_000,
      },
      DAY,
      80,
    );
    const nothing = sessionFacts(
      { sessionId: 2, ...base, energyChargeStart: 5, energyChargeEnd: 5 },
      DAY,
      80,
    );
    const [row] = rollUpDay([], DAY, [
      {
        key: `1@${DAY}`,
        origin: { chargerId: 'HPC-001', connectorId: '1' },
        facts: charged,
        findings: [],
      },
      {
        key: `2@${DAY}`,
        origin: { chargerId: 'HPC-001', connectorId: '1' },
        facts: nothing,
        findings: [],
      },
    ]);
    expect(row).toMatchObject({
      sessions: 2,
      successfulSessions: 1,
      chargingSuccessRate: 0.5,
      energyDeliveredKwh: 45.6,
      meanEfficiencyPercent: 95,
      efficiencySessions: 1,
    });
  });
});

describe('kpiSessionsByDay', () => {
  it('groups sessions by their filed day, keeping their order', () => {
    const y = session('y', { day: '2026-11-23' });
    const groups = kpiSessionsByDay([a, y, b]);
    expect([...groups.keys()]).toEqual([DAY, '2026-11-23']);
    expect(groups.get(DAY)).toEqual([a, b]);
    expect(groups.get('2026-11-23')).toEqual([y]);
  });
});

describe('fleetTotals', () => {
  it('adds rows up and weights the mean efficiency by the sessions judged', () => {
    // Row 1 (connector 1): a, b, c as above. Row 2 (connector 2): one session, 60 000 Wh, 89 %.
    // sessions 4; successful 2 (a, d) → 0.5; fault-free 2 → 0.5; energy 260 450 Wh → 260.5 kWh
    // mean efficiency (95 + 92 + 89) / 3 = 92; a mean of row means would give (93.5 + 89) / 2.
    const d = session('d', { deliveredWh: 60_000, efficiencyPercent: 89 }, [], '2');
    const rows = rollUpDay([], DAY, [a, b, c, d]);
    expect(fleetTotals(rows)).toEqual({
      sessions: 4,
      successfulSessions: 2,
      faultFreeSessions: 2,
      chargingSuccessRate: 0.5,
      faultFreeRate: 0.5,
      energyDeliveredKwh: 260.5,
      meanEfficiencyPercent: 92,
      efficiencySessions: 3,
      faultedMinutes: 12.5,
      findings: 2,
      criticalFindings: 1,
    });
  });

  it('gives null rates and mean for no rows', () => {
    expect(fleetTotals([])).toMatchObject({
      sessions: 0,
      chargingSuccessRate: null,
      faultFreeRate: null,
      meanEfficiencyPercent: null,
      energyDeliveredKwh: 0,
    });
  });
});

describe('the stored form of a day', () => {
  it('is JSON Lines under kpis/date=YYYY-MM-DD/, and reads back as written', () => {
    const rows: DailyConnectorKpi[] = rollUpDay([], DAY, [a, session('d', {}, [], '2')]);
    const text = kpiRowsToJsonLines(rows);
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect(kpiRowsFromJsonLines(text)).toEqual(rows);
    expect(dailyKpisKey(DAY)).toBe('kpis/date=2026-11-24/kpis.jsonl');
  });

  it('refuses a day that is not a real YYYY-MM-DD', () => {
    expect(isKpiDay('2026-02-28')).toBe(true);
    expect(isKpiDay('2026-02-30')).toBe(false);
    expect(isKpiDay('2026-2-3')).toBe(false);
    expect(isKpiDay('../../x')).toBe(false);
    expect(() => dailyKpisKey('2026-11-24/../../x')).toThrow(/YYYY-MM-DD/);
  });
});
