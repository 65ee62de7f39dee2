import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../functions/core/finding.ts';
import {
  applySessions,
  emptyIncidentState,
} from '../../functions/core/incidents/connector-incidents.ts';
import type { JudgedSession } from '../../functions/core/incidents/incident.ts';
import { incidentStep } from '../../functions/core/incidents/incident-step.ts';
import { markDelivered } from '../../functions/core/incidents/notices.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';

const ORIGIN = { chargerId: 'HPC-001', connectorId: '1' };
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T00:00:00.000Z');
const settings = DEFAULT_INCIDENT_SETTINGS;

function finding(rule: string, severity: Severity, discriminator?: string): Finding {
  return {
    ...ORIGIN,
    rule,
    severity,
    sessionId: '',
    title: rule,
    message: rule,
    evidence: {},
    fingerprint: '',
    ...(discriminator ? { discriminator } : {}),
  };
}

/** Session `n`, ending n hours after T0, with the given findings. */
function session(n: number, findings: Finding[] = []): JudgedSession {
  const at = new Date(T0 + n * HOUR).toISOString();
  return { key: `${n}@${at.slice(0, 10)}`, sessionId: String(n), at, findings };
}

/** What a session can hold: nothing, a warning, a critical, a Faulted connector with symptoms. */
const KINDS: Record<string, () => Finding[]> = {
  clean: () => [],
  efficiency: () => [finding('converter-efficiency', 'warning')],
  // Critical, and a fault only the charger can have: the fleet's attribution leaves it here.
  overvoltage: () => [finding('converter-error-counter', 'critical', 'Converter\u001f17')],
  faulted: () => [finding('ocpp-faulted', 'critical'), finding('no-energy-delivered', 'warning')],
  error42: () => [finding('converter-error-counter', 'warning', 'Converter\u001f42')],
};

describe('the incident engine', () => {
  it('gives the same incidents for overlapping windows read in any order as for one clean pass', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Object.keys(KINDS)), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }), // hours between runs
        fc.integer({ min: 0, max: 24 }), // hours each run reads back beyond the last one
        fc.infiniteStream(fc.integer()),
        (kinds, every, overlap, shuffles) => {
          const sessions = kinds.map((kind, n) => session(n + 1, KINDS[kind]?.() ?? []));
          const clean = applySessions(emptyIncidentState(ORIGIN), sessions, settings);

          let state = emptyIncidentState(ORIGIN);
          const last = sessions.length;
          for (let run = every; run < last + every; run += every) {
            const window = sessions.filter((s) => {
              const n = Number(s.sessionId);
              return n <= run && n > run - every - overlap;
            });
            const random = shuffles.next().value as number;
            // Each run's reports come in any order the API likes; re-reads repeat some.
            const shuffled = window
              .map((s, i) => ({ s, order: Math.imul(i + 1, random) >>> 0 }))
              .sort((a, b) => a.order - b.order)
              .map(({ s }) => s);
            state = applySessions(state, [...shuffled, ...shuffled.slice(0, 2)], settings);
          }
          expect(state).toEqual(clean);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a Faulted session’s symptoms as context of the Faulted incident, not incidents of their own', () => {
    const state = applySessions(
      emptyIncidentState(ORIGIN),
      [session(1, KINDS.faulted?.()), session(2, KINDS.faulted?.())],
      settings,
    );
    expect(state.incidents.map((i) => [i.rule, i.status])).toEqual([['ocpp-faulted', 'open']]);
    expect(state.incidents[0]?.context.map((f) => f.rule)).toEqual(['no-energy-delivered']);
  });

  it('keys incidents by what the rule names: two error codes are two incidents', () => {
    const state = applySessions(
      emptyIncidentState(ORIGIN),
      [1, 2].map((n) =>
        session(n, [
          finding('converter-error-counter', 'warning', 'Converter\u001f42'),
          finding('converter-error-counter', 'warning', 'Converter\u001f43'),
        ]),
      ),
      settings,
    );
    expect(state.incidents.filter((i) => i.status === 'open')).toHaveLength(2);
  });

  it('opens a fault that comes back after its resolve as a new incident, and escalates the third within 14 days', () => {
    // overvoltage (critical, opens at once) → 3 clean sessions resolve it → again → again.
    const plan = [
      'overvoltage',
      'clean',
      'clean',
      'clean',
      'overvoltage',
      'clean',
      'clean',
      'clean',
      'overvoltage',
    ];
    let state = emptyIncidentState(ORIGIN);
    const told: { event: string; incident: string; severity: string }[] = [];
    plan.forEach((kind, i) => {
      const step = incidentStep(state, ORIGIN, [session(i + 1, KINDS[kind]?.())], {
        now: new Date(T0 + (i + 1) * HOUR + 60_000).toISOString(),
        settings,
        readInFull: true,
      });
      told.push(
        ...step.notices.map((n) => ({
          event: n.event,
          incident: n.incident,
          severity: n.severity,
        })),
      );
      state = markDelivered(step.state, step.notices);
    });
    expect(told.map((n) => n.event)).toEqual(['open', 'resolve', 'open', 'resolve', 'escalate']);
    const ids = told.map((n) => n.incident);
    // Open and resolve share an id; each return of the fault has a new one.
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    expect(new Set([ids[0], ids[2], ids[4]]).size).toBe(3);
    // Critical stays critical when it steps up; the message names the occurrence.
    expect(told[4]?.severity).toBe('critical');
  });

  it('forgets sessions older than any re-read can reach (8 days), so its record stays small', () => {
    const state = applySessions(
      emptyIncidentState(ORIGIN),
      [session(0), session(24), session(9 * 24), session(9 * 24 + 1)],
      settings,
    );
    // Kept: those ending within 8 days (192 h) of the latest, hour 217: from hour 25 on.
    expect(state.seen.map(([key]) => key.split('@')[0])).toEqual(['216', '217']);
    // A session still remembered, read again, changes nothing.
    expect(applySessions(state, [session(216)], settings)).toBe(state);
  });

  it('waits for the second warning within five sessions before it opens', () => {
    const once = applySessions(
      emptyIncidentState(ORIGIN),
      ['efficiency', 'clean', 'clean', 'clean', 'clean', 'clean', 'efficiency'].map((k, i) =>
        session(i + 1, KINDS[k]?.()),
      ),
      settings,
    );
    expect(once.incidents.filter((i) => i.status === 'open')).toEqual([]);
    const twice = applySessions(
      emptyIncidentState(ORIGIN),
      ['efficiency', 'clean', 'clean', 'efficiency'].map((k, i) => session(i + 1, KINDS[k]?.())),
      settings,
    );
    expect(twice.incidents.map((i) => [i.status, i.sessionIds])).toEqual([['open', ['1', '4']]]);
  });
});
