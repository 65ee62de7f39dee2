import { describe, expect, it } from 'vitest';
import { backtest, type HistoricSession } from '../../functions/core/backtest/backtest.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import {
  DEFAULT_INCIDENT_SETTINGS,
  type IncidentSettings,
  incidentSettingsSchema,
} from '../../functions/core/incidents/settings.ts';
import { judgeSession } from '../../functions/core/judge-session.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { type GeneratedHistory, generateHistory, type HistoryOptions } from '../helpers/history.ts';

const thresholds = defaultThresholds();
const DAY = 86_400_000;
const START = '2026-03-02T00:00:00.000Z';
const dayOf = (n: number) => new Date(Date.parse(START) + n * DAY).toISOString();

/** The history as the scan would judge it, session by session. */
function judged(history: GeneratedHistory): HistoricSession[] {
  return history.sessions.map((s) => {
    const origin = { chargerId: s.chargerId, connectorId: s.connectorId };
    return {
      origin,
      session: judgeSession(s.report, s.start.slice(0, 10), thresholds, origin).session,
    };
  });
}

function replay(
  history: GeneratedHistory,
  settings: IncidentSettings = DEFAULT_INCIDENT_SETTINGS,
): IncidentNotification[] {
  return backtest(judged(history), {
    everyMinutes: 15,
    settingsFor: () => settings,
    site: settings,
    fleet: history.fleet,
  }).notices;
}

/** Drift against sister connectors switched on. */
const WITH_PEERS = incidentSettingsSchema.parse({ drift: { peers: { enabled: true } } });

/** One line per incident: what it blames and for which rule. */
function incidents(notices: readonly IncidentNotification[]): string[] {
  const lines = new Map<string, string>();
  for (const n of notices) {
    const who =
      n.subject === 'vehicle'
        ? `vehicle ${n.vehicleId}`
        : n.subject === 'charger'
          ? `charger ${n.chargerId}`
          : `connector ${n.chargerId}/${n.connectorId}`;
    lines.set(n.incident, `${who} ${n.rule}`);
  }
  return [...lines.values()].sort();
}

const fleet = (seed: number): HistoryOptions => ({
  seed,
  chargers: 6,
  connectors: 2,
  days: 30,
  everyHours: 4,
  start: START,
});

describe('fleet intelligence over generated histories', () => {
  it.each([1, 2, 3, 4])(
    'seed %i: a bad bus, a bad connector and a drifting converter give exactly their three incidents',
    (seed) => {
      const history = generateHistory({
        ...fleet(seed),
        faults: [
          // The bus fails battery alignment on whichever charger it uses.
          { vehicleId: 'BUS-117', rule: 'battery-misalignment', from: dayOf(0), until: dayOf(30) },
          // The connector opens its breaker under load with every bus.
          {
            chargerId: 'HPC-03',
            connectorId: '1',
            rule: 'breaker-open-under-load',
            from: dayOf(0),
            until: dayOf(30),
          },
        ],
        // 95 % to 91 % over ten days: above the fixed 90 % threshold all along.
        drifts: [
          {
            chargerId: 'HPC-05',
            connectorId: '2',
            from: dayOf(14),
            until: dayOf(24),
            fromPercent: 95,
            toPercent: 91,
          },
        ],
      });
      // The bus did charge on several chargers, and the connector with several buses.
      const bus = history.sessions.filter((s) => s.vehicleId === 'BUS-117');
      expect(new Set(bus.map((s) => s.chargerId)).size).toBeGreaterThanOrEqual(3);
      expect(history.sessions.every((s) => s.efficiencyPercent > 90)).toBe(true);

      const notices = replay(history);
      expect(incidents(notices)).toEqual([
        'connector HPC-03/1 breaker-open-under-load',
        'connector HPC-05/2 converter-efficiency-drift',
        'vehicle BUS-117 battery-misalignment',
      ]);
      // No notice names a bus but the one at fault: a vehicle id on a notice reads as blame.
      expect(notices.filter((n) => n.vehicleId !== undefined && n.vehicleId !== 'BUS-117')).toEqual(
        [],
      );
      const vehicle = notices.find((n) => n.subject === 'vehicle');
      expect(vehicle?.event).toBe('open');
      expect(vehicle?.message).toMatch(/followed BUS-117 on [2-9] chargers/);
    },
  );

  it('catches the drift while every session is still above the fixed threshold', () => {
    const history = generateHistory({
      ...fleet(5),
      drifts: [
        {
          chargerId: 'HPC-02',
          connectorId: '1',
          from: dayOf(14),
          until: dayOf(24),
          fromPercent: 95,
          toPercent: 91,
        },
      ],
    });
    const opened = replay(history).find(
      (n) => n.rule === 'converter-efficiency-drift' && n.event === 'open',
    );
    expect(opened).toBeDefined();
    // Opened within the decline, before the efficiency reached its end point.
    expect(Date.parse(opened?.at ?? '')).toBeLessThan(Date.parse(dayOf(24)));
    const current = Number(opened?.evidence.current);
    expect(current).toBeGreaterThan(90);
    expect(Number(opened?.evidence.baseline) - current).toBeGreaterThanOrEqual(2.5);
  });

  it.each([21, 22])(
    'seed %i: a drift from the first day of history opens one incident, against its sister connectors',
    (seed) => {
      // Ten days of history, as a depot that has just started watching has.
      const history = generateHistory({
        ...fleet(seed),
        days: 11,
        drifts: [
          {
            chargerId: 'HPC-04',
            connectorId: '1',
            from: dayOf(0),
            until: dayOf(10),
            fromPercent: 95,
            toPercent: 91,
          },
        ],
      });
      const notices = replay(history, WITH_PEERS);
      expect(incidents(notices)).toEqual(['connector HPC-04/1 converter-efficiency-drift']);
      expect(notices.filter((n) => n.event === 'open')).toHaveLength(1);
      const opened = notices.find((n) => n.event === 'open');
      // Against its sisters: the evidence names both medians, the connector's and theirs.
      expect(opened?.evidence.against).toBe('sister connectors');
      expect(Number(opened?.evidence.current)).toBeLessThan(Number(opened?.evidence.peers));
    },
  );

  it('a whole depot moving 95 % to 92 % together opens no drift incident', () => {
    const history = generateHistory({
      ...fleet(23),
      drifts: ['HPC-01', 'HPC-02', 'HPC-03', 'HPC-04', 'HPC-05', 'HPC-06'].flatMap((chargerId) =>
        ['1', '2'].map((connectorId) => ({
          chargerId,
          connectorId,
          from: dayOf(0),
          until: dayOf(10),
          fromPercent: 95,
          toPercent: 92,
        })),
      ),
    });
    expect(replay(history, WITH_PEERS)).toEqual([]);
  });

  it.each([11, 12, 13])('seed %i: a healthy fleet stays quiet for 30 days', (seed) => {
    expect(replay(generateHistory(fleet(seed)))).toEqual([]);
  });
});
