import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import {
  type GeneratedHistory,
  type GeneratedSession,
  generateHistory,
  type HistoryOptions,
  type InjectedFault,
  runAtOrAfter,
  sessionsOf,
  writeHistory,
} from '../helpers/history.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One line of `backtest --json`. */
interface Notice {
  event: 'open' | 'reminder' | 'escalate' | 'resolve';
  incident: string;
  rule: string;
  chargerId: string;
  connectorId: string;
  severity: string;
  at: string;
  sessionIds: string[];
}

/** Runs `depot-watch backtest` as a user would; returns exit code and output, never throws. */
const backtest = (args: string[]) => cli(['backtest', ...args]);

/** The notices of a `--json` run, in the order printed. */
async function jsonNotices(args: string[]): Promise<Notice[]> {
  const result = await backtest([...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Notice);
}

const at = (start: string, hours: number) =>
  new Date(Date.parse(start) + hours * HOUR).toISOString();
const ids = (sessions: readonly GeneratedSession[]) => sessions.map((s) => s.sessionId);
const onConnector = (notices: readonly Notice[], chargerId: string, connectorId: string) =>
  notices.filter((n) => n.chargerId === chargerId && n.connectorId === connectorId);

/** What the record says about one injected fault: its sessions, and the clean ones after it. */
function faultRecord(history: GeneratedHistory, fault: InjectedFault) {
  const sessions = sessionsOf(history, fault.chargerId, fault.connectorId);
  const failing = sessions.filter((s) => s.faults.some((f) => f.rule === fault.rule));
  const last = sessions.indexOf(failing.at(-1) as GeneratedSession);
  return { sessions, failing, cleanAfter: sessions.slice(last + 1) };
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-backtest-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const START = '2026-03-02T00:00:00.000Z';

/** Two 14-day fleets, each with one fault that persists two days on one connector. */
const persisting: {
  name: string;
  options: HistoryOptions;
  fault: InjectedFault;
  everyMinutes: number;
}[] = [
  {
    name: 'seed 7, 2 chargers × 2 connectors, a session every 4 h, runs every 15 min',
    options: { seed: 7, chargers: 2, connectors: 2, days: 14, everyHours: 4, start: START },
    fault: {
      chargerId: 'HPC-01',
      connectorId: '2',
      // A charger-only fault: faults a bus can cause are attributed across the fleet first
      // (test/unit/fleet-intelligence.test.ts), which moves when they open.
      rule: 'power-derating',
      from: at(START, 3 * 24),
      until: at(START, 5 * 24),
    },
    everyMinutes: 15,
  },
  {
    name: 'seed 2024, 3 chargers × 3 connectors, a session every 6 h, runs every 60 min',
    options: { seed: 2024, chargers: 3, connectors: 3, days: 14, everyHours: 6, start: START },
    fault: {
      chargerId: 'HPC-03',
      connectorId: '2',
      rule: 'converter-efficiency',
      from: at(START, 8 * 24 + 12),
      until: at(START, 10 * 24 + 12),
    },
    everyMinutes: 60,
  },
];

describe.each(persisting)('backtest over a generated history ($name)', (scenario) => {
  const history = generateHistory({ ...scenario.options, faults: [scenario.fault] });
  const { fault } = scenario;
  const record = faultRecord(history, fault);
  const every = ['--every', `${scenario.everyMinutes}m`];
  let folder: string;
  let notices: Notice[];

  beforeAll(async () => {
    folder = await writeHistory(history, join(work, `history-${scenario.options.seed}`));
    notices = await jsonNotices([folder, ...every]);
  });

  it('is generated with the fault in every session that starts within its two days, and only there', () => {
    expect(record.failing.length).toBe(48 / scenario.options.everyHours);
    for (const s of record.sessions)
      expect(s.faults.length > 0).toBe(s.start >= fault.from && s.start < fault.until);
    expect(history.sessions.filter((s) => s.faults.length > 0)).toEqual(record.failing);
  });

  it('opens the fault once, at the run that sees its second failing session, citing both', () => {
    const mine = onConnector(notices, fault.chargerId, fault.connectorId);
    const opens = mine.filter((n) => n.event === 'open');
    expect(opens).toHaveLength(1);
    const [first, second] = record.failing as [GeneratedSession, GeneratedSession];
    expect(opens[0]).toMatchObject({
      rule: fault.rule,
      severity: 'warning',
      at: runAtOrAfter(second.end, scenario.everyMinutes),
      sessionIds: [first.sessionId, second.sessionId],
    });
    expect(mine[0]?.event).toBe('open');
    expect(new Set(mine.map((n) => n.incident)).size).toBe(1);
  });

  it('reminds at most once per 24 h while the fault lasts, each time citing the sessions failed since the last message', () => {
    const mine = onConnector(notices, fault.chargerId, fault.connectorId);
    const reminders = mine.filter((n) => n.event === 'reminder');
    const resolveAt = mine.find((n) => n.event === 'resolve')?.at as string;
    // The fault lasts 48 h and the incident opens within its first 12 h, so a day after the
    // open it is still failing: at least one reminder, and at most one per full day open.
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    const openAt = mine[0]?.at as string;
    expect(reminders.length).toBeLessThanOrEqual(
      Math.floor((Date.parse(resolveAt) - Date.parse(openAt)) / DAY),
    );
    expect(reminders[0]?.at).toBe(new Date(Date.parse(openAt) + DAY).toISOString());
    const told = mine.filter((n) => n.event !== 'resolve');
    for (let i = 1; i < told.length; i++) {
      const previous = told[i - 1] as Notice;
      const reminder = told[i] as Notice;
      expect(reminder.event).toBe('reminder');
      expect(Date.parse(reminder.at) - Date.parse(previous.at)).toBeGreaterThanOrEqual(DAY);
      expect(reminder.at < resolveAt).toBe(true);
      const seenBetween = record.failing.filter((s) => {
        const seenAt = runAtOrAfter(s.end, scenario.everyMinutes);
        return seenAt > previous.at && seenAt <= reminder.at;
      });
      expect(reminder.sessionIds).toEqual(ids(seenBetween));
    }
  });

  it('resolves once, after the fault ends, citing the first three clean sessions after it', () => {
    const mine = onConnector(notices, fault.chargerId, fault.connectorId);
    const resolves = mine.filter((n) => n.event === 'resolve');
    expect(resolves).toHaveLength(1);
    const clean = record.cleanAfter.slice(0, 3);
    expect(clean.every((s) => s.faults.length === 0 && s.start >= fault.until)).toBe(true);
    expect(resolves[0]).toMatchObject({
      rule: fault.rule,
      at: runAtOrAfter((clean[2] as GeneratedSession).end, scenario.everyMinutes),
      sessionIds: ids(clean),
    });
    expect(mine.at(-1)).toBe(resolves[0]);
  });

  it('sends nothing about any healthy connector', () => {
    const others = notices.filter(
      (n) => n.chargerId !== fault.chargerId || n.connectorId !== fault.connectorId,
    );
    expect(others).toEqual([]);
  });

  it('prints every notice with its fields, at a run on the schedule, never before the first failing session ended', () => {
    expect(notices.length).toBeGreaterThanOrEqual(3);
    const firstFailure = (record.failing[0] as GeneratedSession).end;
    for (const notice of notices) {
      for (const field of ['event', 'incident', 'rule', 'chargerId', 'connectorId', 'severity'])
        expect(typeof (notice as unknown as Record<string, unknown>)[field], field).toBe('string');
      expect(Array.isArray(notice.sessionIds)).toBe(true);
      expect(notice.sessionIds.length).toBeGreaterThan(0);
      expect(new Date(notice.at).toISOString()).toBe(notice.at);
      expect(Date.parse(notice.at) % (scenario.everyMinutes * 60_000)).toBe(0);
      expect(notice.at >= firstFailure).toBe(true);
    }
  });

  it('prints a timeline and a weekly table whose notice counts match the JSON notices per rule', async () => {
    const text = await backtest([folder, ...every]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const timeline = lines.filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d {2}/.test(l));
    expect(timeline).toHaveLength(notices.length);
    const labels = {
      open: 'OPEN',
      reminder: 'STILL OPEN',
      escalate: 'ESCALATED',
      resolve: 'RESOLVED',
    };
    timeline.forEach((line, i) => {
      const notice = notices[i] as Notice;
      expect(line.startsWith(notice.at.slice(0, 16).replace('T', ' '))).toBe(true);
      expect(line).toContain(` ${labels[notice.event]} `);
      expect(line).toContain(notice.incident);
      expect(line).toContain(notice.rule);
    });

    const table = tableIn(text.stdout);
    const byRule = new Map<string, number>();
    for (const n of notices) byRule.set(n.rule, (byRule.get(n.rule) ?? 0) + 1);
    expect(new Set(table.keys())).toEqual(new Set(byRule.keys()));
    for (const [rule, count] of byRule) {
      expect(table.get(rule)?.notices).toBe(count);
      // Each failing session of these two rules carries exactly one finding.
      expect(table.get(rule)?.findings).toBe(record.failing.length);
    }
  });
});

/** The "Notices / findings per rule and week" table, summed over its weeks, per rule. */
function tableIn(stdout: string): Map<string, { notices: number; findings: number }> {
  const lines = stdout.split('\n');
  const head = lines.indexOf('Notices / findings per rule and week:');
  expect(head).toBeGreaterThanOrEqual(0);
  const header = lines[head + 1] as string;
  const weeks = header.trim().split(/\s+/).slice(1);
  expect(weeks.length).toBeGreaterThan(0);
  for (const week of weeks) expect(week).toMatch(/^\d{4}-W\d\d$/);
  const rows = new Map<string, { notices: number; findings: number }>();
  for (const line of lines.slice(head + 2)) {
    if (line.trim() === '') break;
    const [rule, ...cells] = line.trim().split(/\s+/);
    expect(cells).toHaveLength(weeks.length);
    const sum = { notices: 0, findings: 0 };
    for (const cell of cells) {
      if (cell === '-') continue;
      const [n, f] = cell.split('/').map(Number);
      sum.notices += n as number;
      sum.findings += f as number;
    }
    rows.set(rule as string, sum);
  }
  return rows;
}

describe('backtest of a fleet in good health', () => {
  it('sends nothing at all', async () => {
    const history = generateHistory({
      seed: 31,
      chargers: 4,
      connectors: 2,
      days: 14,
      everyHours: 5,
      start: START,
    });
    expect(history.sessions.every((s) => s.faults.length === 0)).toBe(true);
    const folder = await writeHistory(history, join(work, 'healthy'));
    expect(await jsonNotices([folder])).toEqual([]);
  });
});

describe('backtest of faults seen in one stray session', () => {
  const options: HistoryOptions = {
    seed: 99,
    chargers: 1,
    connectors: 2,
    days: 14,
    everyHours: 3,
    start: START,
  };
  // Faults cost no random draws, so a session keeps its times whatever is injected.
  const healthy = generateHistory(options);
  const warningStray = sessionsOf(healthy, 'HPC-01', '1')[40] as GeneratedSession;
  const criticalStray = sessionsOf(healthy, 'HPC-01', '2')[60] as GeneratedSession;
  const history = generateHistory({
    ...options,
    faults: [
      {
        chargerId: 'HPC-01',
        connectorId: '1',
        rule: 'soc-shortfall',
        from: warningStray.start,
        until: at(warningStray.start, 1 / 60),
      },
      {
        chargerId: 'HPC-01',
        connectorId: '2',
        rule: 'breaker-open-under-load',
        severity: 'critical',
        from: criticalStray.start,
        until: at(criticalStray.start, 1 / 60),
      },
    ],
  });
  let notices: Notice[];

  beforeAll(async () => {
    notices = await jsonNotices([await writeHistory(history, join(work, 'strays'))]);
  });

  it('has exactly the two stray sessions at fault', () => {
    expect(history.sessions.filter((s) => s.faults.length > 0).map((s) => s.sessionId)).toEqual([
      warningStray.sessionId,
      criticalStray.sessionId,
    ]);
  });

  it('opens nothing for a warning seen in one session only (2 findings within 5 sessions open)', () => {
    expect(onConnector(notices, 'HPC-01', '1')).toEqual([]);
  });

  it('opens a critical fault at the run that sees its one session, then resolves it after three clean sessions', () => {
    const sessions = sessionsOf(history, 'HPC-01', '2');
    const clean = sessions.slice(61, 64);
    expect(onConnector(notices, 'HPC-01', '2')).toMatchObject([
      {
        event: 'open',
        rule: 'breaker-open-under-load',
        severity: 'critical',
        at: runAtOrAfter(criticalStray.end),
        sessionIds: [criticalStray.sessionId],
      },
      {
        event: 'resolve',
        rule: 'breaker-open-under-load',
        at: runAtOrAfter((clean[2] as GeneratedSession).end),
        sessionIds: ids(clean),
      },
    ]);
  });
});

describe('backtest with silences in the config', () => {
  const options: HistoryOptions = {
    seed: 5,
    chargers: 2,
    connectors: 1,
    days: 14,
    everyHours: 4,
    start: START,
  };
  // HPC-01/1 fails from day 4 to day 6 under a silence from day 3 to day 5: it outlasts it.
  const outlasting: InjectedFault = {
    chargerId: 'HPC-01',
    connectorId: '1',
    rule: 'converter-error-counter',
    from: at(START, 4 * 24),
    until: at(START, 6 * 24),
  };
  // HPC-02/1 fails for a day wholly inside a silence from day 3 to day 7.
  const within: InjectedFault = {
    chargerId: 'HPC-02',
    connectorId: '1',
    rule: 'converter-efficiency',
    from: at(START, 3 * 24 + 12),
    until: at(START, 4 * 24 + 12),
  };
  const silences = [
    {
      chargerId: 'HPC-01',
      connectorId: '1',
      from: at(START, 3 * 24),
      until: at(START, 5 * 24),
      reason: 'breaker replacement',
    },
    {
      chargerId: 'HPC-02',
      connectorId: '1',
      from: at(START, 3 * 24),
      until: at(START, 7 * 24),
      reason: 'converter commissioning',
    },
  ];
  const history = generateHistory({ ...options, faults: [outlasting, within] });

  it('sends nothing while a fault is silenced, one open when the silence ends, then one resolve; a fault fixed under its silence is never told', async () => {
    const folder = await writeHistory(history, join(work, 'silenced'));
    const config = join(work, 'silences.json');
    await writeFile(config, JSON.stringify({ fleet: history.fleet, silences }));
    const notices = await jsonNotices([folder, '--config', config]);

    const silenceEnd = silences[0]?.until as string;
    const record = faultRecord(history, outlasting);
    const mine = onConnector(notices, 'HPC-01', '1');
    expect(mine.filter((n) => n.at < silenceEnd)).toEqual([]);
    const opens = mine.filter((n) => n.event === 'open');
    expect(opens).toHaveLength(1);
    const open = opens[0] as Notice;
    // The first run at or after the silence's end tells it, citing every failure so far.
    expect(open.at >= silenceEnd).toBe(true);
    expect(Date.parse(open.at) - Date.parse(silenceEnd)).toBeLessThan(15 * 60_000);
    expect(open.sessionIds).toEqual(
      ids(record.failing.filter((s) => runAtOrAfter(s.end) <= open.at)),
    );
    const resolves = mine.filter((n) => n.event === 'resolve');
    expect(resolves).toHaveLength(1);
    const clean = record.cleanAfter.slice(0, 3);
    expect(resolves[0]).toMatchObject({
      at: runAtOrAfter((clean[2] as GeneratedSession).end),
      sessionIds: ids(clean),
    });
    expect(mine.filter((n) => n.event !== 'reminder').map((n) => n.event)).toEqual([
      'open',
      'resolve',
    ]);

    expect(onConnector(notices, 'HPC-02', '1')).toEqual([]);
  });
});
