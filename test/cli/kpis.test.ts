import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { type KpiSession, rollUpDay } from '../../functions/core/fleet/daily-kpis.ts';
import { cli } from '../helpers/cli.ts';

let work: string;
let archive: string;

/** Writes one report where the archive keeps it: charger, connector, session day, session id. */
async function archived(chargerId: string, connectorId: string, report: Record<string, unknown>) {
  const day = String(report.sessionTimeStart).slice(0, 10);
  const folder = join(
    archive,
    'reports',
    `charger=${chargerId}`,
    `connector=${connectorId}`,
    `date=${day}`,
  );
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${report.sessionId}.json`), JSON.stringify(report));
}

// Hand-made sessions, with what each counts for (default thresholds: target SoC 80 %).
// 101 HPC-001/1: SoC 20→90, 150 000 Wh delivered of 156 250 Wh grid = 96 %: success, no finding.
const r101 = {
  sessionId: 101,
  sessionTimeStart: '2026-11-24T06:00:00Z',
  sessionTimeEnd: '2026-11-24T07:00:00Z',
  energySocStart: 20,
  energySocEnd: 90,
  energyChargeStart: 1_000_000,
  energyChargeEnd: 1_150_000,
  energyPrimaryStart: 2_000_000,
  energyPrimaryEnd: 2_156_250,
};
// 102 HPC-001/1: SoC 30→70, below target: a soc-shortfall warning; 50 000 Wh; no grid meter.
const r102 = {
  sessionId: 102,
  sessionTimeStart: '2026-11-24T08:00:00Z',
  sessionTimeEnd: '2026-11-24T09:00:00Z',
  energySocStart: 30,
  energySocEnd: 70,
  energyChargeStart: 1_150_000,
  energyChargeEnd: 1_200_000,
};
// 103 HPC-001/2: reached 85 %, but Faulted 10:10–10:25 (15 min): a critical ocpp-faulted
// finding, so not a success; 80 000 of 85 000 Wh = 94.1176… → 94.12 %.
const r103 = {
  sessionId: 103,
  sessionTimeStart: '2026-11-24T10:00:00Z',
  sessionTimeEnd: '2026-11-24T11:00:00Z',
  energySocStart: 50,
  energySocEnd: 85,
  energyChargeStart: 500_000,
  energyChargeEnd: 580_000,
  energyPrimaryStart: 700_000,
  energyPrimaryEnd: 785_000,
  ocppStatus: [
    { value: 'Charging', eventTimestamp: '2026-11-24T10:00:00Z' },
    { value: 'Faulted', eventTimestamp: '2026-11-24T10:10:00Z' },
    { value: 'Charging', eventTimestamp: '2026-11-24T10:25:00Z' },
  ],
};
// 201 HPC-002/1, the next day: no SoC figures, 40 000 Wh delivered: a success by energy.
const r201 = {
  sessionId: 201,
  sessionTimeStart: '2026-11-25T05:00:00Z',
  sessionTimeEnd: '2026-11-25T05:30:00Z',
  energyChargeStart: 10_000,
  energyChargeEnd: 50_000,
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-kpis-'));
  archive = join(work, 'archive');
  await archived('HPC-001', '1', r101);
  await archived('HPC-001', '1', r102);
  await archived('HPC-001', '2', r103);
  await archived('HPC-002', '1', r201);
  // The same session 101 saved again as an API page: counted once.
  await mkdir(join(work, 'saved'));
  await writeFile(
    join(work, 'saved', 'page.json'),
    JSON.stringify({ ChargerID: 'HPC-001', ConnectorID: '1', items: [r101] }),
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('depot-watch kpis --archive', () => {
  it('rolls archived reports up into one line per connector-day and a fleet total', async () => {
    const result = await cli(['kpis', '--archive', archive, join(work, 'saved')]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      // Five reports read, 101 twice: it is counted once below.
      `Daily KPIs 2026-11-24 to 2026-11-25, from 5 report(s) in ${archive}, ${join(work, 'saved')}`,
    );
    // HPC-001/1: 2 sessions (101 counted once), 1 success (101), 1 fault-free (101),
    //   150 + 50 = 200 kWh, efficiency 96 % (only 101 has a grid meter), 0 faulted minutes.
    // HPC-001/2: 1 session, critical → 0 % success, 0 % fault-free, 80 kWh, 94.1 %, 15 min.
    // HPC-002/1: 1 session, success by energy, fault-free, 40 kWh, no efficiency.
    // Fleet: 4 sessions, 2 successes (101, 201) = 50 %, 2 fault-free = 50 %, 320 kWh,
    //   efficiency (96 + 94.12) / 2 = 95.06 → 95.1 %, 15 faulted minutes.
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['2026-11-24', 'HPC-001/1', '2', '50.0%', '50.0%', '200.0', '96.0%', '0.0'],
      ['2026-11-24', 'HPC-001/2', '1', '0.0%', '0.0%', '80.0', '94.1%', '15.0'],
      ['2026-11-25', 'HPC-002/1', '1', '100.0%', '100.0%', '40.0', '-', '0.0'],
      ['fleet', '3 connector-day(s)', '4', '50.0%', '50.0%', '320.0', '95.1%', '15.0'],
    ]);
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      'date',
      'charger/connector',
      'sessions',
      'success',
      'fault-free',
      'energy kWh',
      'efficiency',
      'faulted min',
    ]);
  });

  it('prints one row per line as JSON with --json, without the session keys, within --from/--to', async () => {
    const result = await cli([
      'kpis',
      '--archive',
      archive,
      '--json',
      '--from',
      '2026-11-24',
      '--to',
      '2026-11-24',
    ]);
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => `${r.chargerId}/${r.connectorId}`)).toEqual(['HPC-001/1', 'HPC-001/2']);
    expect(rows[1]).toEqual({
      date: '2026-11-24',
      chargerId: 'HPC-001',
      connectorId: '2',
      sessions: 1,
      successfulSessions: 0,
      faultFreeSessions: 0,
      chargingSuccessRate: 0,
      faultFreeRate: 0,
      energyDeliveredKwh: 80,
      energyDeliveredWh: 80_000,
      meanEfficiencyPercent: 94.12,
      efficiencySessions: 1,
      efficiencySumPercent: 94.12,
      faultedMinutes: 15,
      findings: 1,
      criticalFindings: 1,
    });
  });

  it('uses the config’s target SoC: at 60 %, session 102 (ended at 70 %) is a success', async () => {
    const config = join(work, 'low-target.json');
    await writeFile(
      config,
      JSON.stringify({
        fleet: [{ chargerId: 'HPC-001', connectors: ['1', '2'] }],
        thresholds: { 'soc-shortfall': { targetSocPercent: 60 } },
      }),
    );
    const result = await cli(['kpis', '--config', config, '--archive', archive, '--json']);
    expect(result.code).toBe(0);
    const first = JSON.parse(result.stdout.split('\n')[0] ?? '');
    // 101 and 102 both reached 60 % and neither has a finding now: 2 of 2.
    expect(first).toMatchObject({ connectorId: '1', successfulSessions: 2, faultFreeSessions: 2 });
  });

  it('exits 1 when no report could be read', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const result = await cli(['kpis', '--archive', empty]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no valid session report');
  });
});

describe('depot-watch kpis from the state', () => {
  const session = (id: string, day: string, connectorId: string, wh: number): KpiSession => ({
    key: `${id}@${day}`,
    origin: { chargerId: 'HPC-009', connectorId },
    facts: { day, deliveredWh: wh, reachedTarget: true, faultedMinutes: 0 },
    findings: [],
  });

  it('reads the rows a scan kept, for the days asked', async () => {
    const folder = join(work, 'depot');
    const state = new LocalState(join(folder, 'state'));
    for (const [day, sessions] of [
      [
        '2026-11-20',
        [session('1', '2026-11-20', '1', 30_000), session('2', '2026-11-20', '2', 20_000)],
      ],
      ['2026-11-21', [session('3', '2026-11-21', '1', 12_340)]],
      ['2026-11-22', [session('4', '2026-11-22', '1', 99_000)]],
    ] as const)
      await state.saveDailyKpis(day, rollUpDay([], day, sessions));
    const config = join(folder, 'depot.json');
    await writeFile(
      config,
      JSON.stringify({ fleet: [{ chargerId: 'HPC-009', connectors: ['1', '2'] }], state: 'state' }),
    );
    const result = await cli([
      'kpis',
      '--config',
      config,
      '--from',
      '2026-11-20',
      '--to',
      '2026-11-21',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `Daily KPIs 2026-11-20 to 2026-11-21, from the state at ${join(folder, 'state')}`,
    );
    // 30 + 20 + 12.34 = 62.34 kWh → 62.3; the 22nd is outside the period.
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['2026-11-20', 'HPC-009/1', '1', '100.0%', '100.0%', '30.0', '-', '0.0'],
      ['2026-11-20', 'HPC-009/2', '1', '100.0%', '100.0%', '20.0', '-', '0.0'],
      ['2026-11-21', 'HPC-009/1', '1', '100.0%', '100.0%', '12.3', '-', '0.0'],
      ['fleet', '3 connector-day(s)', '3', '100.0%', '100.0%', '62.3', '-', '0.0'],
    ]);
  });

  it('reads the last 7 days of the demo’s state by default', async () => {
    const folder = join(work, 'demo');
    const today = new Date().toISOString().slice(0, 10);
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const state = new LocalState(join(folder, '.depot-watch', 'state'));
    for (const day of [today, weekAgo])
      await state.saveDailyKpis(day, rollUpDay([], day, [session(`s-${day}`, day, '1', 5_000)]));
    const result = await cli(['kpis', '--json'], { cwd: folder });
    expect(result.code).toBe(0);
    // Today is in the 7 days; the same weekday a week ago is the eighth day back, outside.
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).date),
    ).toEqual([today]);
  });

  it('exits 1 when the state folder is not there', async () => {
    const result = await cli(['kpis'], { cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `depot-watch: no state at ${join(work, '.depot-watch', 'state')}; run a scan first\n`,
    );
  });
});

describe.concurrent('depot-watch kpis usage errors', () => {
  it.each([
    [['--from', '2026-11-30', '--to', '2026-11-01'], '--from 2026-11-30 is after --to 2026-11-01'],
    [['--from', '2026-13-01'], '--from takes a UTC day such as 2026-11-24, got "2026-13-01"'],
    [['--to', '24.11.2026'], '--to takes a UTC day such as 2026-11-24, got "24.11.2026"'],
    [['somewhere'], 'kpis takes no "somewhere"; did you mean --archive <folder>?'],
  ])('exits 2 for %j', async (args, message) => {
    const result = await cli(['kpis', ...args], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`depot-watch: ${message}\n`);
  });
});
