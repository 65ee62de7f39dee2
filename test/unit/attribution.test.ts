import { describe, expect, it } from 'vitest';
import type { Finding } from '../../functions/core/finding.ts';
import {
  attributionStep,
  byConnector,
  type FleetSession,
  markAttributionDelivered,
} from '../../functions/core/fleet/attribution.ts';
import type { AttributionState } from '../../functions/core/fleet/attribution-state.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import {
  DEFAULT_INCIDENT_SETTINGS,
  incidentSettingsSchema,
} from '../../functions/core/incidents/settings.ts';

const FLEET = ['A', 'B', 'C'].map((chargerId) => ({ chargerId, connectors: ['1', '2'] }));
const T0 = Date.parse('2026-11-02T00:00:00.000Z');
const HOUR = 3_600_000;

/** A session `hours` after T0 on a charger's connector, by a bus, failing the given rule or clean. */
function session(
  hours: number,
  where: string,
  bus: string | undefined,
  rule?: string,
  severity: Finding['severity'] = 'warning',
): FleetSession {
  const [chargerId, connectorId] = where.split('/') as [string, string];
  const sessionId = `${where}@${hours}`;
  const at = new Date(T0 + hours * HOUR).toISOString();
  const findings: Finding[] = rule
    ? [
        {
          rule,
          severity,
          chargerId,
          connectorId,
          sessionId,
          title: `${rule} — ${where}`,
          message: `${rule} in ${sessionId}.`,
          evidence: { x: 1 },
          fingerprint: sessionId,
        },
      ]
    : [];
  return {
    origin: { chargerId, connectorId },
    session: {
      key: `${sessionId}@${at.slice(0, 10)}`,
      sessionId,
      at,
      ...(bus ? { vehicleId: bus } : {}),
      findings,
    },
  };
}

/** Runs the sessions as one run each at their own hour + 1, every notice delivered. */
function runAll(sessions: FleetSession[], settings = DEFAULT_INCIDENT_SETTINGS, until?: number) {
  let state: AttributionState | undefined;
  const notices: IncidentNotification[] = [];
  const last = until ?? Math.max(...sessions.map((s) => (Date.parse(s.session.at) - T0) / HOUR));
  for (let hour = 0; hour <= last + 1; hour++) {
    const now = new Date(T0 + hour * HOUR).toISOString();
    const read = sessions.filter(
      (s) => s.session.at <= now && s.session.at > new Date(T0 + (hour - 1) * HOUR).toISOString(),
    );
    const run = { now, settings, settingsFor: () => settings, fleet: FLEET };
    const step = attributionStep(state, byConnector(read), run);
    notices.push(...step.notices);
    state = markAttributionDelivered(step.state, step.notices, run);
  }
  return { notices, state: state as AttributionState };
}

const opens = (notices: IncidentNotification[]) =>
  notices
    .filter((n) => n.event === 'open')
    .map(
      (n) =>
        `${n.subject} ${n.subject === 'vehicle' ? n.vehicleId : `${n.chargerId}/${n.connectorId}`} ${n.rule}`,
    );

const BAT = 'battery-misalignment';
/** Clean sessions of other buses on every connector: the chargers charge others cleanly. */
const background = FLEET.flatMap(({ chargerId }) =>
  ['1', '2'].map((k, i) => session(1 + i, `${chargerId}/${k}`, `OK-${chargerId}${k}`)),
);

describe('the bus or the charger', () => {
  it('blames the bus that fails on two chargers which charge others cleanly, once, citing both sessions', () => {
    const { notices } = runAll([
      ...background,
      session(5, 'A/1', 'BUS-1', BAT),
      session(9, 'B/2', 'BUS-1', BAT),
    ]);
    expect(opens(notices)).toEqual([`vehicle BUS-1 ${BAT}`]);
    const open = notices.find((n) => n.event === 'open');
    // Told at the run after the second failure, with both sessions.
    expect(open?.at).toBe(new Date(T0 + 9 * HOUR).toISOString());
    expect(open?.sessionIds).toEqual(['A/1@5', 'B/2@9']);
    expect(open?.message).toContain('followed BUS-1 on 2 chargers (A/1, B/2)');
  });

  it('holds warnings while the failures cannot tell the bus from the charger, and says so when the hold ends', () => {
    const { notices } = runAll(
      [...background, session(5, 'A/1', 'BUS-1', BAT), session(6, 'A/1', 'BUS-1', BAT)],
      DEFAULT_INCIDENT_SETTINGS,
      60,
    );
    const open = notices.find((n) => n.event === 'open');
    // The 48-hour hold: the second warning is decided, and the incident opens, 48 h after it.
    expect(open?.at).toBe(new Date(T0 + 54 * HOUR).toISOString());
    expect(open?.subject).toBe('connector');
    expect(open?.message).toContain('Not attributed');
  });

  it('holds no warning with holdHours 0: decided on what is known', () => {
    const settings = incidentSettingsSchema.parse({ attribution: { holdHours: 0 } });
    const { notices } = runAll(
      [...background, session(5, 'A/1', 'BUS-1', BAT), session(6, 'A/1', 'BUS-1', BAT)],
      settings,
    );
    expect(notices.find((n) => n.event === 'open')?.at).toBe(new Date(T0 + 6 * HOUR).toISOString());
  });

  it('leaves a critical finding of a connector verdict to the connector that told it', () => {
    // Its own record told it in the run that fetched it; the fleet's would only say it twice.
    const { notices } = runAll(
      [...background, session(5, 'A/1', 'BUS-1', BAT, 'critical')],
      DEFAULT_INCIDENT_SETTINGS,
      60,
    );
    expect(notices).toEqual([]);
  });

  it('blames the connector that fails two buses which charge cleanly elsewhere, and names no bus', () => {
    const { notices } = runAll([
      ...background,
      session(4, 'B/1', 'BUS-1'),
      session(4, 'C/1', 'BUS-2'),
      session(6, 'A/2', 'BUS-1', BAT),
      session(8, 'A/2', 'BUS-2', BAT),
    ]);
    expect(opens(notices)).toEqual([`connector A/2 ${BAT}`]);
    expect(notices.every((n) => n.vehicleId === undefined)).toBe(true);
  });

  it('blames the whole charger when each of its connectors fails buses that charge cleanly elsewhere', () => {
    const { notices } = runAll([
      ...background,
      ...['BUS-1', 'BUS-2', 'BUS-3', 'BUS-4'].map((bus, i) =>
        session(2 + i, `C/${1 + (i % 2)}`, bus),
      ),
      session(6, 'A/1', 'BUS-1', BAT),
      session(7, 'A/1', 'BUS-2', BAT),
      session(8, 'A/2', 'BUS-3', BAT),
      session(9, 'A/2', 'BUS-4', BAT),
    ]);
    // A/1 is told as a connector first (its sister had not failed anyone yet); once A/2 fails
    // two buses too, the rest is the charger's.
    const told = notices.filter((n) => n.event === 'open');
    expect(told.map((n) => `${n.subject} ${n.chargerId}`)).toEqual(['connector A', 'charger A']);
    expect(told[1]?.message).toContain('failed on every connector of A');
  });

  it('blames the pair when one bus fails twice on a connector but charges cleanly elsewhere', () => {
    const { notices } = runAll([
      ...background,
      session(4, 'B/1', 'BUS-1'),
      session(6, 'A/2', 'BUS-1', BAT),
      session(8, 'A/2', 'BUS-1', BAT),
    ]);
    expect(opens(notices)).toEqual([`connector A/2 ${BAT}`]);
    const open = notices.find((n) => n.event === 'open');
    expect(open?.vehicleId).toBe('BUS-1');
    expect(open?.message).toContain('check this pairing');
  });

  it('keeps a fault of a report without a vehicle on its connector, without a hold', () => {
    const { notices } = runAll([
      ...background,
      session(5, 'A/1', undefined, BAT),
      session(6, 'A/1', undefined, BAT),
    ]);
    expect(opens(notices)).toEqual([`connector A/1 ${BAT}`]);
    expect(notices[0]?.at).toBe(new Date(T0 + 6 * HOUR).toISOString());
  });

  it('resolves the vehicle after three clean sessions of that bus, and counts a re-read session once', () => {
    const failing = [session(5, 'A/1', 'BUS-1', BAT), session(9, 'B/2', 'BUS-1', BAT)];
    const clean = [
      session(12, 'C/1', 'BUS-1'),
      session(14, 'A/2', 'BUS-1'),
      session(16, 'B/1', 'BUS-1'),
    ];
    const { notices, state } = runAll([...background, ...failing, ...failing, ...clean]);
    expect(notices.map((n) => `${n.event} ${n.subject}`)).toEqual([
      'open vehicle',
      'resolve vehicle',
    ]);
    expect(notices[1]?.sessionIds).toEqual(['C/1@12', 'A/2@14', 'B/1@16']);
    // Nothing left to tell or count: the record keeps the marks, no incident.
    expect(Object.values(state.subjects).flatMap((s) => s.incidents)).toEqual([]);
  });

  it('forgets failures older than the window, once decided', () => {
    const settings = incidentSettingsSchema.parse({ attribution: { windowDays: 1 } });
    const { state } = runAll([...background, session(5, 'A/1', 'BUS-1', BAT)], settings, 60);
    expect(state.failures).toEqual([]);
  });

  it('does not count a clean session older than the window as evidence', () => {
    // BUS-2 and BUS-3 charged cleanly elsewhere at hours 1 and 2, then both failed on A/2 at
    // hours 40 and 42: with a one-day window that is no evidence against A/2.
    const settings = incidentSettingsSchema.parse({ attribution: { windowDays: 1, holdHours: 6 } });
    const { notices } = runAll(
      [
        session(1, 'B/1', 'BUS-2'),
        session(2, 'C/1', 'BUS-3'),
        session(3, 'A/2', 'OK-X'),
        session(40, 'A/2', 'BUS-2', BAT),
        session(42, 'A/2', 'BUS-3', BAT),
      ],
      settings,
      60,
    );
    const open = notices.find((n) => n.event === 'open');
    expect(open?.message).toContain('Not attributed');
  });
});

describe('what a run changes in the fleet record', () => {
  const run = (hour: number) => ({
    now: new Date(T0 + hour * HOUR).toISOString(),
    settings: DEFAULT_INCIDENT_SETTINGS,
    settingsFor: () => DEFAULT_INCIDENT_SETTINGS,
    fleet: FLEET,
  });

  it('says a run moved the record when it tabulated a session, and not when nothing came or was decided', () => {
    const first = attributionStep(undefined, byConnector([session(1, 'A/1', 'BUS-1')]), run(2));
    expect(first.changed).toBe(true);
    const saved = markAttributionDelivered(first.state, first.notices, run(2));
    // The same session read again, and a run with nothing: no change, nothing to write.
    const again = attributionStep(saved, byConnector([session(1, 'A/1', 'BUS-1')]), run(3));
    expect(again.changed).toBe(false);
    expect(markAttributionDelivered(again.state, again.notices, run(3))).toBe(again.state);
    expect(attributionStep(saved, byConnector([]), run(4)).changed).toBe(false);
    expect(attributionStep(saved, byConnector([session(5, 'B/1', 'BUS-2')]), run(6)).changed).toBe(
      true,
    );
  });
});
