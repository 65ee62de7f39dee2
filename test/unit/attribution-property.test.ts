import fc from 'fast-check';
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
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';

const FLEET = ['A', 'B', 'C'].map((chargerId) => ({ chargerId, connectors: ['1', '2'] }));
const CONNECTORS = FLEET.flatMap((c) => c.connectors.map((k) => `${c.chargerId}/${k}`));
const RULES = ['battery-misalignment', 'breaker-open-under-load', 'soc-shortfall'];
const T0 = Date.parse('2026-11-02T00:00:00.000Z');
const HOUR = 3_600_000;

/** Session `n` ends n hours after T0: where, which bus, which rule failed (if any). */
function sessionOf(n: number, where: number, bus: number, failed: number): FleetSession {
  const [chargerId, connectorId] = (CONNECTORS[where] as string).split('/') as [string, string];
  const at = new Date(T0 + n * HOUR).toISOString();
  const rule = failed < RULES.length ? RULES[failed] : undefined;
  const findings: Finding[] = rule
    ? [
        {
          rule,
          severity: failed === 1 ? 'critical' : 'warning',
          chargerId,
          connectorId,
          sessionId: String(n),
          title: rule,
          message: rule,
          evidence: {},
          fingerprint: String(n),
        },
      ]
    : [];
  return {
    origin: { chargerId, connectorId },
    session: {
      key: `${n}@${at.slice(0, 10)}`,
      sessionId: String(n),
      at,
      vehicleId: `BUS-${bus}`,
      findings,
    },
  };
}

/** The sessions a run at `hour` reads: those that ended in the last `readBack` hours. */
function endedWithin(sessions: FleetSession[], hour: number, readBack: number): FleetSession[] {
  return sessions.filter((s) => {
    const n = (Date.parse(s.session.at) - T0) / HOUR;
    return n <= hour && n > hour - readBack;
  });
}

/** A run of the fleet at `now` with the default incident settings. */
function runAt(now: string) {
  return {
    now,
    settings: DEFAULT_INCIDENT_SETTINGS,
    settingsFor: () => DEFAULT_INCIDENT_SETTINGS,
    fleet: FLEET,
  };
}

/** Hourly runs; each reads what ended in the last `readBack` hours (1 = each session once). */
function notices(sessions: FleetSession[], readBack: number, repeat: boolean): string[] {
  let state: AttributionState | undefined;
  const told: string[] = [];
  const last = sessions.length + 60;
  for (let hour = 1; hour <= last; hour++) {
    const now = new Date(T0 + hour * HOUR).toISOString();
    const read = endedWithin(sessions, hour, readBack);
    const run = runAt(now);
    const step = attributionStep(
      state,
      byConnector(repeat ? [...read].reverse().concat(read) : read),
      run,
    );
    told.push(...step.notices.map((n) => n.id));
    // Through JSON, as the state store keeps it between runs.
    state = JSON.parse(JSON.stringify(markAttributionDelivered(step.state, step.notices, run)));
  }
  return told;
}

/**
 * Hourly runs reading `readBack` hours, the record kept between runs as the backtest keeps it:
 * handed over in place, or copied by a pure step (whose previous record must stay as it was).
 * Every notice told, and the last record as the state store would write it.
 */
function kept(sessions: FleetSession[], readBack: number, inPlace: boolean) {
  let state: AttributionState | undefined;
  const told: IncidentNotification[] = [];
  for (let hour = 1; hour <= sessions.length + 60; hour++) {
    const now = new Date(T0 + hour * HOUR).toISOString();
    const read = endedWithin(sessions, hour, readBack);
    const run = { ...runAt(now), inPlace };
    const before = inPlace ? undefined : JSON.stringify(state);
    const step = attributionStep(state, byConnector(read), run);
    told.push(...step.notices);
    const next = markAttributionDelivered(step.state, step.notices, run);
    if (!inPlace) expect(JSON.stringify(state)).toBe(before);
    state = next;
  }
  return { told, state: JSON.stringify(state) };
}

/** Up to 40 sessions, each on a connector, with a bus, failed (0–2: a rule failed) or clean (3–6). */
const drawnSessions = fc.array(
  fc.record({
    where: fc.integer({ min: 0, max: CONNECTORS.length - 1 }),
    bus: fc.integer({ min: 1, max: 5 }),
    failed: fc.integer({ min: 0, max: 6 }),
  }),
  { minLength: 1, maxLength: 40 },
);

describe('attribution across the fleet', () => {
  it('tells the same notices however often and in whatever order the sessions are read again', () => {
    fc.assert(
      fc.property(drawnSessions, fc.integer({ min: 2, max: 12 }), (drawn, readBack) => {
        const sessions = drawn.map((d, i) => sessionOf(i + 1, d.where, d.bus, d.failed));
        expect(notices(sessions, readBack, true)).toEqual(notices(sessions, 1, false));
      }),
      { numRuns: 150 },
    );
  });

  it('tells the same and keeps the same record when the record is updated in place', () => {
    fc.assert(
      fc.property(drawnSessions, fc.integer({ min: 1, max: 12 }), (drawn, readBack) => {
        const sessions = drawn.map((d, i) => sessionOf(i + 1, d.where, d.bus, d.failed));
        expect(kept(sessions, readBack, true)).toEqual(kept(sessions, readBack, false));
      }),
      { numRuns: 100 },
    );
  });
});
