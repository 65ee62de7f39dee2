import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportInput } from '../../functions/health-report/load-report-input.ts';
import type { ReportSources } from '../../functions/health-report/model/report-input.ts';
import { reportSourcesFrom } from '../../functions/health-report/report-sources.ts';
import { cli } from '../helpers/cli.ts';
import { kpiRow } from '../helpers/kpi-rows.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';

// The week reported on is 2026-11-23..29 (Monday to Sunday); the one before it, 16..22.
const PERIOD = { from: '2026-11-23', to: '2026-11-29' };
const PERIOD_FLAGS = ['--from', PERIOD.from, '--to', PERIOD.to];
const MONDAY_AFTER = Date.parse('2026-11-30T10:00:00Z');

const kpi = (date: string, sessions: number) =>
  kpiRow({
    date,
    chargerId: 'HPC-001',
    connectorId: '1',
    sessions,
    successfulSessions: sessions,
    faultFreeSessions: sessions,
    chargingSuccessRate: 1,
    faultFreeRate: 1,
    energyDeliveredKwh: sessions * 100,
    energyDeliveredWh: sessions * 100_000,
  });
const where = {
  subject: 'connector',
  chargerId: 'HPC-001',
  connectorId: '1',
  severity: 'critical',
};
const notice = (incident: string, at: string) =>
  `${JSON.stringify({ runId: 'r', event: 'open', incident, rule: 'ocpp-faulted', at, ...where, sessionIds: ['7'], title: 'Connector Faulted', occurrence: 1 })}\n`;
const incident = (id: string, status: string) => ({
  id,
  key: 'ocpp-faulted',
  status,
  rule: 'ocpp-faulted',
  ...where,
  occurrence: 1,
  escalated: false,
  firstFindingAt: '2026-11-20T10:00:00Z',
  lastFindingAt: '2026-11-28T10:00:00Z',
  openedAt: '2026-11-20T10:00:00Z',
  sessionIds: ['7'],
  failedSinceNotice: [],
  failedSinceNoticeCount: 0,
  cleanSessions: [],
  latest: {
    rule: 'ocpp-faulted',
    ...where,
    sessionId: '7',
    title: 'Connector Faulted',
    message: 'Faulted.',
    evidence: {},
    fingerprint: 'f',
  },
  context: [],
  notified: {},
});

/** A state store and archive as scans leave them, by key; each case names what it proves. */
const STORED: Record<string, string> = {
  // Outside both periods: never read.
  'state/kpis/date=2026-11-15/kpis.jsonl': `${JSON.stringify(kpi('2026-11-15', 9))}\n`,
  'state/kpis/date=2026-11-16/kpis.jsonl': `${JSON.stringify(kpi('2026-11-16', 2))}\n`,
  'state/kpis/date=2026-11-22/kpis.jsonl': `${JSON.stringify(kpi('2026-11-22', 3))}\n`,
  'state/kpis/date=2026-11-23/kpis.jsonl': `${JSON.stringify(kpi('2026-11-23', 4))}\n`,
  'state/kpis/date=2026-11-29/kpis.jsonl': `${JSON.stringify(kpi('2026-11-29', 5))}\n`,
  'state/kpis/date=2026-11-30/kpis.jsonl': `${JSON.stringify(kpi('2026-11-30', 9))}\n`,
  // A run filed under the day before the previous period delivered after midnight: kept.
  'archive/incidents/date=2026-11-15/run-late.jsonl': notice(
    'inc-after-midnight',
    '2026-11-16T00:01:00Z',
  ),
  // A partition outside the period is not read, whatever its lines say.
  'archive/incidents/date=2026-11-10/run-old.jsonl': notice('inc-not-read', '2026-11-20T00:00:00Z'),
  'archive/incidents/date=2026-11-22/run-a.jsonl': `${notice('inc-previous', '2026-11-22T08:00:00Z')}{"cut short\n`,
  'archive/incidents/date=2026-11-29/run-b.jsonl':
    notice('inc-sunday', '2026-11-29T23:00:00Z') + notice('inc-monday', '2026-11-30T00:02:00Z'),
  'archive/incidents/date=2026-11-30/run-c.jsonl': notice('inc-today', '2026-11-30T09:00:00Z'),
  'state/incidents/HPC-001/1.json': JSON.stringify({
    incidents: [incident('inc-open', 'open'), incident('inc-resolved', 'resolved')],
  }),
  'state/fleet/attribution.json': JSON.stringify({
    subjects: { 'vehicle:BUS-117': { incidents: [incident('inc-bus', 'pending')] } },
  }),
};

/** What every source, local or S3, must give for the stored keys above. */
async function expectTheStoredWeek(sources: ReportSources) {
  const input = await loadReportInput(sources, { depot: 'North', now: MONDAY_AFTER });
  expect(input.period).toEqual(PERIOD);
  expect(input.previous).toEqual({ from: '2026-11-16', to: '2026-11-22' });
  expect(input.kpis.map((row) => [row.date, row.sessions])).toEqual([
    ['2026-11-16', 2],
    ['2026-11-22', 3],
    ['2026-11-23', 4],
    ['2026-11-29', 5],
  ]);
  expect(input.notices.map((n) => n.incident)).toEqual([
    'inc-after-midnight',
    'inc-previous',
    'inc-sunday',
  ]);
  expect(input.incidents.map((i) => i.id).sort()).toEqual(['inc-bus', 'inc-open']);
  expect(input.generatedAt).toBe('2026-11-30T10:00:00.000Z');
}

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-report-'));
  for (const [key, body] of Object.entries(STORED)) {
    await mkdir(dirname(join(work, 'depot', key)), { recursive: true });
    await writeFile(join(work, 'depot', key), body);
  }
  // Its archive is not where the history is; --archive says where.
  await writeFile(
    join(work, 'depot', 'north.json'),
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      state: 'state',
      archive: 'nowhere',
    }),
  );
  // Relative to the config's folder, as every other command reads them.
  await writeFile(
    join(work, 'depot', 'depot.json'),
    JSON.stringify({
      fleet: [{ chargerId: 'HPC-001', connectors: ['1'] }],
      state: 'state',
      archive: 'archive',
    }),
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the report input', () => {
  it('reads both weeks of rollups, their notices by partition, and what is open now, from folders', async () => {
    const sources = reportSourcesFrom(
      { state: 'state', archive: 'archive' },
      { baseDir: join(work, 'depot') },
    );
    expect(sources.archiveLocation).toBe(join(work, 'depot', 'archive'));
    await expectTheStoredWeek(sources);
  });

  describe('on S3', () => {
    let s3: LocalS3;
    beforeAll(async () => {
      s3 = await startS3('depot-report');
      for (const [key, body] of Object.entries(STORED))
        await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
    });
    afterAll(async () => {
      await s3.stop();
    });

    it('reads the same from s3://bucket/state and s3://bucket/archive', async () => {
      const sources = reportSourcesFrom(
        { state: `s3://${s3.bucket}/state`, archive: `s3://${s3.bucket}/archive` },
        { baseDir: '/', s3: s3.client },
      );
      expect(sources.archiveLocation).toBe(`s3://${s3.bucket}/archive`);
      await expectTheStoredWeek(sources);
    });
  });

  it('compares a period given with the same number of days just before it', async () => {
    const sources = reportSourcesFrom(
      { state: 'state', archive: 'archive' },
      { baseDir: join(work, 'depot') },
    );
    const input = await loadReportInput(sources, {
      period: { from: '2026-11-29', to: '2026-11-30' },
      depot: 'North',
      now: MONDAY_AFTER,
    });
    expect(input.previous).toEqual({ from: '2026-11-27', to: '2026-11-28' });
    expect(input.kpis.map((row) => row.date)).toEqual(['2026-11-29', '2026-11-30']);
    expect(input.notices.map((n) => n.incident)).toEqual(['inc-sunday', 'inc-monday', 'inc-today']);
  });
});

describe('depot-watch report', () => {
  it.each([
    [['--from', '2026-11-31', '--to', '2026-12-02'], '--from takes a UTC day such as'],
    [['--from', '2026-11-29', '--to', '2026-11-23'], '--from 2026-11-29 is after --to 2026-11-23'],
    [['--from', '2026-11-23'], 'give --from and --to together'],
    [['--weekly'], 'unknown flag --weekly; this command takes --config, --archive, --from,'],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    const result = await cli(['report', ...args], { cwd: work });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 1 naming the state folder when there is nothing to read', async () => {
    const result = await cli(['report'], { cwd: work });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no state at ${join(work, '.depot-watch', 'state')}`);
    expect(existsSync(join(work, 'depot-health-'))).toBe(false);
  });

  it('writes the page for a config and prints its absolute path and headline', async () => {
    const result = await cli(['report', '--config', 'depot/depot.json', ...PERIOD_FLAGS], {
      cwd: work,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const path = join(work, 'depot-health-2026-11-23-2026-11-29.html');
    // The figures as the page writes them; the change against the week before in brackets.
    expect(result.stdout).toMatch(
      new RegExp(
        `^Health report 2026-11-23 to 2026-11-29: ${path}\\n` +
          '  Charging sessions 9 \\(\\+4\\) · Energy delivered 900\\.0 kWh \\(\\+400\\.0 kWh\\) · ' +
          'Charging success rate 100\\.0 % \\(±0\\.0 pp\\) · Fault-free rate 100\\.0 % \\(±0\\.0 pp\\) · ' +
          'Open incidents 1 \\([^)]+\\)\\n$',
      ),
    );
    const html = await readFile(path, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('data-kpi="sessions"');
  });

  it('writes where --out says, making its folder', async () => {
    const out = join(work, 'reports', 'week-48.html');
    const result = await cli(
      ['report', '--config', 'depot/depot.json', '--out', out, ...PERIOD_FLAGS],
      { cwd: work },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`: ${out}\n`);
    expect(existsSync(out)).toBe(true);
  });

  it('reads the incident history from the archive --archive names, over the config', async () => {
    const out = join(work, 'elsewhere.html');
    const archive = join(work, 'depot', 'archive');
    const result = await cli(
      [
        'report',
        '--config',
        'depot/north.json',
        '--archive',
        archive,
        '--out',
        out,
        ...PERIOD_FLAGS,
      ],
      { cwd: work },
    );
    expect(result.code, result.stderr).toBe(0);
    // The history's notices are read from there, and the page points people at it.
    const html = await readFile(out, 'utf8');
    expect(html).toContain(archive);
    expect(html).toContain('data-chart="faults-by-rule"');
    expect(html).not.toContain(join(work, 'depot', 'nowhere'));
  });
});
