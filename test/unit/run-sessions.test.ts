import { describe, expect, it } from 'vitest';
import {
  attributionStep,
  byConnector,
  type FleetSession,
} from '../../functions/core/fleet/attribution.ts';
import type { JudgedSession } from '../../functions/core/incidents/incident.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';
import { RunSessions } from '../../functions/scan/run-sessions.ts';

const FLEET = ['A', 'B'].map((chargerId) => ({ chargerId, connectors: ['1', '2'] }));

/** A session on a connector at an hour of 2 November, failing the battery alignment check or clean. */
function session(where: string, hour: number, bus: string, failed = false): FleetSession {
  const [chargerId, connectorId] = where.split('/') as [string, string];
  const sessionId = `${where}#${hour}`;
  const at = `2026-11-02T${String(hour).padStart(2, '0')}:00:00.000Z`;
  const judged: JudgedSession = {
    key: `${sessionId}@2026-11-02`,
    sessionId,
    at,
    vehicleId: bus,
    facts: {
      day: '2026-11-02',
      reachedTarget: !failed,
      faultedMinutes: 0,
      efficiencyPercent: 95 - hour / 10,
    },
    findings: failed
      ? [
          {
            rule: 'battery-misalignment',
            severity: 'critical',
            chargerId,
            connectorId,
            sessionId,
            title: 'Battery "misaligned" — <b>',
            message: `Battery misaligned in ${sessionId}.`,
            evidence: { deltaV: 12 },
            fingerprint: sessionId,
          },
        ]
      : [],
  };
  return { origin: { chargerId, connectorId }, session: judged };
}

const READ = [
  session('A/1', 1, 'BUS-1'),
  session('B/2', 2, 'BUS-2', true),
  session('A/1', 3, 'BUS-2', true),
  session('A/2', 4, 'BUS-1'),
  session('B/2', 5, 'BUS-3'),
];

describe("a run's sessions kept for the fleet step", () => {
  it('gives each connector once, its sessions in the order they came, on every pass', () => {
    const sessions = new RunSessions();
    try {
      for (const group of byConnector(READ)) sessions.add(group.origin, group.sessions);
      const passes = [[...sessions], [...sessions]];
      for (const pass of passes) {
        expect(pass.map((g) => `${g.origin.chargerId}/${g.origin.connectorId}`)).toEqual([
          'A/1',
          'B/2',
          'A/2',
        ]);
        expect(pass.flatMap((g) => g.sessions.map((s) => s.sessionId))).toEqual([
          'A/1#1',
          'A/1#3',
          'B/2#2',
          'B/2#5',
          'A/2#4',
        ]);
      }
    } finally {
      sessions.close();
    }
  });

  it('adds a connector read twice after what it has, and takes parts of either shape', () => {
    const sessions = new RunSessions();
    try {
      sessions.add(READ[0]?.origin as FleetSession['origin'], [READ[0]?.session as JudgedSession]);
      sessions.addPart([READ[2] as FleetSession, ...byConnector([READ[1] as FleetSession])]);
      const groups = [...sessions];
      expect(groups.map((g) => g.sessions.map((s) => s.sessionId))).toEqual([
        ['A/1#1', 'A/1#3'],
        ['B/2#2'],
      ]);
      expect(groups[1]?.sessions[0]).toEqual(READ[1]?.session);
    } finally {
      sessions.close();
    }
  });

  it('leads the fleet step to the same record and notices as the sessions held in memory', () => {
    const run = {
      now: '2026-11-02T06:00:00.000Z',
      settings: DEFAULT_INCIDENT_SETTINGS,
      settingsFor: () => DEFAULT_INCIDENT_SETTINGS,
      fleet: FLEET,
    };
    const sessions = new RunSessions();
    try {
      for (const group of byConnector(READ)) sessions.add(group.origin, group.sessions);
      const held = attributionStep(undefined, byConnector(READ), run);
      const spilled = attributionStep(undefined, sessions, run);
      expect(spilled.notices).toEqual(held.notices);
      expect(JSON.parse(JSON.stringify(spilled.state))).toEqual(
        JSON.parse(JSON.stringify(held.state)),
      );
      expect(held.state.failures.map((m) => m.k)).toEqual(['A/1#3@2026-11-02', 'B/2#2@2026-11-02']);
    } finally {
      sessions.close();
    }
  });
});
