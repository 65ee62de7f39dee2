import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtest, type HistoricSession } from '../../functions/core/backtest/backtest.ts';
import {
  lateCritical,
  timeToTell,
  timeToTellTable,
} from '../../functions/core/backtest/time-to-tell.ts';
import {
  type IncidentNotification,
  TELLING_EVENTS,
} from '../../functions/core/incidents/incident.ts';
import {
  DEFAULT_INCIDENT_SETTINGS,
  type IncidentSettings,
} from '../../functions/core/incidents/settings.ts';
import { judgeSession } from '../../functions/core/judge-session.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import {
  type GeneratedHistory,
  type GeneratedSession,
  generateHistory,
  type InjectedFault,
  type VehicleFault,
} from '../helpers/history.ts';

const thresholds = defaultThresholds();
const START = '2026-03-02T00:00:00.000Z';
const DAY = 86_400_000;
const EVERY_MINUTES = 15;
const dayOf = (n: number) => new Date(Date.parse(START) + n * DAY).toISOString();

/** When the first scan after `availableAt` runs, on the backtest's schedule. */
const firstRunAfter = (availableAt: string) => {
  const every = EVERY_MINUTES * 60_000;
  return new Date(Math.ceil(Date.parse(availableAt) / every) * every).toISOString();
};

interface Replayed {
  history: GeneratedHistory;
  /** When each session's report became available, by session id. */
  available: Map<string, string>;
  notices: IncidentNotification[];
  final: ReturnType<typeof backtest>['final'];
}

/**
 * Replays a generated history through the scan's engine every 15 minutes; `lateBy` makes some
 * reports reach the API hours after their session ended, `rereadRuns` re-reads earlier runs.
 */
function replay(
  history: GeneratedHistory,
  options: { lateBy?: (s: GeneratedSession) => number; rereadRuns?: number } = {},
  settings: IncidentSettings = DEFAULT_INCIDENT_SETTINGS,
): Replayed {
  const available = new Map<string, string>();
  const judged: HistoricSession[] = history.sessions.map((s) => {
    const origin = { chargerId: s.chargerId, connectorId: s.connectorId };
    const availableAt = new Date(Date.parse(s.end) + (options.lateBy?.(s) ?? 0)).toISOString();
    available.set(s.sessionId, availableAt);
    return {
      origin,
      session: judgeSession(s.report, s.start.slice(0, 10), thresholds, origin).session,
      availableAt,
    };
  });
  const result = backtest(judged, {
    everyMinutes: EVERY_MINUTES,
    settingsFor: () => settings,
    site: settings,
    fleet: history.fleet,
    rereadRuns: options.rereadRuns ?? 0,
  });
  return { history, available, notices: result.notices, final: result.final };
}

/** Whether a notice tells of this session: it cites it, or a connector incident it closed did. */
const tells = (n: IncidentNotification, s: GeneratedSession) =>
  TELLING_EVENTS.includes(n.event) &&
  (((n.subject === 'vehicle' || n.chargerId === s.chargerId) &&
    n.sessionIds.includes(s.sessionId)) ||
    (n.explains ?? []).some((e) => e.sessionIds.includes(s.sessionId)));

/** Every session the generator gave a critical fault, judged against its own record. */
const criticalSessions = (history: GeneratedHistory) =>
  history.sessions.filter((s) => s.faults.some((f) => f.severity === 'critical'));

const breakerAt = (chargerId: string, from: number, until: number): InjectedFault => ({
  chargerId,
  connectorId: '1',
  rule: 'breaker-open-under-load',
  severity: 'critical',
  from: dayOf(from),
  until: dayOf(until),
});

describe('time to tell, as backtest prints it', () => {
  it('finds no critical finding told later than one scan interval, and every row hand-checkable', () => {
    const history = generateHistory({
      seed: 5,
      chargers: 3,
      connectors: 2,
      days: 4,
      everyHours: 4,
      start: START,
      faults: [breakerAt('HPC-01', 1, 2)],
    });
    const judged: HistoricSession[] = history.sessions.map((s) => {
      const origin = { chargerId: s.chargerId, connectorId: s.connectorId };
      return {
        origin,
        session: judgeSession(s.report, s.start.slice(0, 10), thresholds, origin).session,
      };
    });
    const { notices } = backtest(judged, {
      everyMinutes: EVERY_MINUTES,
      settingsFor: () => DEFAULT_INCIDENT_SETTINGS,
      site: DEFAULT_INCIDENT_SETTINGS,
      fleet: history.fleet,
    });
    const tellings = timeToTell(judged, notices);
    expect(lateCritical(tellings, EVERY_MINUTES)).toEqual([]);
    const row = timeToTellTable(tellings).find(
      (r) => r.rule === 'breaker-open-under-load' && r.severity === 'critical',
    );
    // Each told by the first run after its end: at most one interval, by hand.
    const failed = criticalSessions(history);
    const waits = failed.map(
      (s) => (Date.parse(firstRunAfter(s.end)) - Date.parse(s.end)) / 60_000,
    );
    expect(row).toMatchObject({ findings: failed.length, told: failed.length });
    expect(row?.maxMinutes).toBe(Math.round(Math.max(...waits)));
    // A finding never told is late: drop every notice and it says so.
    expect(lateCritical(timeToTell(judged, []), EVERY_MINUTES)).toHaveLength(failed.length);
  });
});

describe('a critical fault is told by the scan that fetched it', () => {
  it('tells a breaker opening under load in the first run after the report, with firstSeenAt', () => {
    const history = generateHistory({
      seed: 3,
      chargers: 3,
      connectors: 2,
      days: 2,
      everyHours: 4,
      start: START,
      faults: [breakerAt('HPC-02', 1, 1.2)],
    });
    const { notices, available } = replay(history);
    const failed = criticalSessions(history);
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      const told = notices.find((n) => tells(n, s));
      expect(told, s.sessionId).toBeDefined();
      const run = firstRunAfter(available.get(s.sessionId) as string);
      expect(told?.at).toBe(run);
      expect(told?.firstSeenAt).toBe(run);
    }
  });

  it('resolves a single breaker opening in the first run after the three clean sessions that show it fixed', () => {
    const history = generateHistory({
      seed: 11,
      chargers: 3,
      connectors: 2,
      days: 3,
      everyHours: 4,
      start: START,
      faults: [breakerAt('HPC-03', 1, 1 + 3 / 24)],
    });
    const { notices, available } = replay(history);
    const mine = history.sessions.filter((s) => s.chargerId === 'HPC-03' && s.connectorId === '1');
    const failed = mine.filter((s) => s.faults.length > 0);
    expect(failed).toHaveLength(1);
    const third = mine[mine.indexOf(failed[0] as GeneratedSession) + 3] as GeneratedSession;
    const told = notices.filter((n) => n.chargerId === 'HPC-03' && n.connectorId === '1');
    expect(told.map((n) => n.event)).toEqual(['open', 'resolve']);
    expect(told[1]?.at).toBe(firstRunAfter(available.get(third.sessionId) as string));
  });

  it('a bus failing on three chargers ends as one vehicle incident with its connector incidents joined', () => {
    const bus: VehicleFault = {
      vehicleId: 'BUS-117',
      rule: 'battery-misalignment',
      severity: 'critical',
      from: dayOf(1),
      until: dayOf(9),
    };
    const history = generateHistory({
      seed: 7,
      chargers: 4,
      connectors: 2,
      days: 10,
      everyHours: 4,
      start: START,
      faults: [bus],
    });
    const failed = criticalSessions(history);
    expect(new Set(failed.map((s) => s.chargerId)).size).toBeGreaterThanOrEqual(3);
    const { notices, available, final } = replay(history);
    // Told first, each in its own run …
    for (const s of failed) {
      const told = notices.find((n) => tells(n, s));
      expect(told?.at, s.sessionId).toBe(firstRunAfter(available.get(s.sessionId) as string));
    }
    // … then one vehicle incident that every connector incident joined.
    const vehicleIncidents = new Set(
      notices.filter((n) => n.subject === 'vehicle').map((n) => n.incident),
    );
    expect(vehicleIncidents.size).toBe(1);
    const attributed = notices.filter((n) => n.event === 'attributed');
    expect(attributed.length).toBeGreaterThan(0);
    expect(attributed[0]?.message).toMatch(/Attributed to vehicle BUS-117/);
    const joined = new Set(attributed.flatMap((n) => (n.explains ?? []).map((e) => e.incident)));
    const connectorOpens = notices.filter(
      (n) => n.subject === 'connector' && n.rule === bus.rule && n.event === 'open',
    );
    expect(connectorOpens.length).toBeGreaterThan(0);
    // What the fleet already knew is in the first notice: the bus failed elsewhere before.
    expect(
      connectorOpens.some((n) => /BUS-117 failed this check on HPC-\d+\/\d on /.test(n.message)),
    ).toBe(true);
    // Every connector incident the bus opened was joined, and none resolves on its own.
    for (const open of connectorOpens) expect(joined.has(open.incident), open.incident).toBe(true);
    expect(
      notices.filter((n) => n.event === 'resolve' && joined.has(n.incident)),
      'a joined connector incident must not resolve by itself',
    ).toEqual([]);
    const leftOpen = (final?.connectors ?? []).flatMap((c) =>
      c.incidents.filter((i) => i.rule === bus.rule && i.status !== 'resolved'),
    );
    expect(leftOpen).toEqual([]);
  });

  it('property: every critical finding is told in the run that fetched it, none opened twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (seed, rereadRuns, late) => {
          const history = generateHistory({
            seed,
            chargers: 3,
            connectors: 2,
            days: 6,
            everyHours: 4,
            start: START,
            faults: [
              breakerAt('HPC-01', 1, 2),
              {
                chargerId: 'HPC-03',
                connectorId: '2',
                rule: 'converter-error-counter',
                severity: 'critical',
                from: dayOf(3),
                until: dayOf(3.5),
              },
              {
                vehicleId: `BUS-1${String(seed % 40).padStart(2, '0')}`,
                rule: 'battery-misalignment',
                severity: 'critical',
                from: dayOf(2),
                until: dayOf(5),
              },
            ],
          });
          // Some reports reach the API up to three hours late, by a seeded rule.
          const lateBy = late
            ? (s: GeneratedSession) => (s.sessionId.length % 4) * 3_600_000
            : undefined;
          const { notices, available } = replay(history, {
            ...(lateBy ? { lateBy } : {}),
            rereadRuns,
          });
          for (const s of criticalSessions(history)) {
            const run = firstRunAfter(available.get(s.sessionId) as string);
            expect(
              notices.some((n) => n.at === run && tells(n, s)),
              `${s.sessionId} (${s.chargerId}/${s.connectorId}) not told at ${run}`,
            ).toBe(true);
          }
          const opened = notices.filter((n) => n.event === 'open').map((n) => n.incident);
          expect(new Set(opened).size).toBe(opened.length);
        },
      ),
      { numRuns: 12 },
    );
  });
});
