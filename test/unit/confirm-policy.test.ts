import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../functions/core/finding.ts';
import type { ConnectorIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import type {
  IncidentNotification,
  JudgedSession,
} from '../../functions/core/incidents/incident.ts';
import { incidentStep } from '../../functions/core/incidents/incident-step.ts';
import { markDelivered } from '../../functions/core/incidents/notices.ts';
import {
  confirmFor,
  DEFAULT_INCIDENT_SETTINGS,
  type IncidentSettings,
  incidentSettingsSchema,
} from '../../functions/core/incidents/settings.ts';

const ORIGIN = { chargerId: 'HPC-001', connectorId: '1' };
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T00:00:00.000Z');
const RULE = 'converter-error-counter';

function finding(severity: Severity, n: number): Finding {
  return {
    ...ORIGIN,
    rule: RULE,
    severity,
    sessionId: String(n),
    title: RULE,
    message: RULE,
    evidence: {},
    fingerprint: String(n),
  };
}

/** Session `n`, ending n hours after T0, failing at `severity` or clean. */
function session(n: number, severity?: Severity): JudgedSession {
  const at = new Date(T0 + n * HOUR).toISOString();
  return {
    key: `${n}@${at.slice(0, 10)}`,
    sessionId: String(n),
    at,
    findings: severity ? [finding(severity, n)] : [],
  };
}

/** Runs each group of sessions as one run an hour after its last, every notice delivered. */
function runs(groups: JudgedSession[][], settings: IncidentSettings = DEFAULT_INCIDENT_SETTINGS) {
  let state: ConnectorIncidentState | undefined;
  const told: IncidentNotification[][] = [];
  for (const sessions of groups) {
    const now = new Date(Date.parse(sessions.at(-1)?.at ?? '') + HOUR).toISOString();
    const step = incidentStep(state, ORIGIN, sessions, { now, settings, readInFull: true });
    told.push(step.notices);
    state = markDelivered(step.state, step.notices);
  }
  return { told, state };
}

const events = (notices: IncidentNotification[]) => notices.map((n) => n.event);

describe('when a finding is told', () => {
  it('a critical finding is told at once; a warning waits for its second session by default', () => {
    expect(events(runs([[session(1, 'critical')]]).told[0] ?? [])).toEqual(['open']);
    const warning = runs([[session(1, 'warning')], [session(2, 'warning')]]);
    expect(warning.told.map(events)).toEqual([[], ['open']]);
  });

  it('follows a per-rule confirm setting: three sessions within 24 hours', () => {
    const settings = incidentSettingsSchema.parse({
      rules: { [RULE]: { confirm: { warning: { sessions: 3, withinHours: 24 } } } },
    });
    const spread = runs(
      [[session(1, 'warning')], [session(2, 'warning')], [session(30, 'warning')]],
      settings,
    );
    // The first two fell out of the 24 hours before the third: nothing is told.
    expect(spread.told.flat()).toEqual([]);
    const close = runs(
      [[session(1, 'warning')], [session(2, 'warning')], [session(3, 'warning')]],
      settings,
    );
    expect(close.told.map(events)).toEqual([[], [], ['open']]);
  });

  it('holds a critical finding only where the config says so', () => {
    const settings = incidentSettingsSchema.parse({
      rules: { [RULE]: { confirm: { critical: { sessions: 2, withinSessions: 3 } } } },
    });
    expect(confirmFor(settings, RULE, 'critical')).toEqual({ sessions: 2, withinSessions: 3 });
    const held = runs([[session(1, 'critical')], [session(2, 'critical')]], settings);
    expect(held.told.map(events)).toEqual([[], ['open']]);
  });

  it('tells every new critical finding of an open incident in its own run, not after repeatHours', () => {
    const { told } = runs([[session(1, 'critical')], [session(2, 'critical')], [session(3)]]);
    expect(told.map(events)).toEqual([['open'], ['reminder'], []]);
    expect(told[1]?.[0]?.sessionIds).toEqual(['2']);
  });

  it('follows resolveAfterCleanSessions per rule', () => {
    const settings = incidentSettingsSchema.parse({
      rules: { [RULE]: { resolveAfterCleanSessions: 5 } },
    });
    const clean = [2, 3, 4, 5].map((n) => session(n));
    expect(runs([[session(1, 'critical')], clean], settings).told[1]).toEqual([]);
    expect(events(runs([[session(1, 'critical')], clean]).told[1] ?? [])).toEqual(['resolve']);
  });
});

describe('resolve in the run that knows', () => {
  it('opens and resolves in one run that fetched the fault and its clean sessions, in that order', () => {
    const read = [session(1, 'critical'), session(2), session(3), session(4)];
    const { told, state } = runs([read]);
    expect(events(told[0] ?? [])).toEqual(['open', 'resolve']);
    expect(told[0]?.[0]?.incident).toBe(told[0]?.[1]?.incident);
    // Nothing is left to tell: a rerun over the same sessions sends nothing.
    expect(state?.incidents).toEqual([]);
    const again = incidentStep(state, ORIGIN, read, {
      now: new Date(T0 + 6 * HOUR).toISOString(),
      settings: DEFAULT_INCIDENT_SETTINGS,
      readInFull: true,
    });
    expect(again.notices).toEqual([]);
  });

  it('sends the resolve next run when only the open was delivered', () => {
    const read = [session(1, 'critical'), session(2), session(3), session(4)];
    const now = new Date(T0 + 5 * HOUR).toISOString();
    const first = incidentStep(undefined, ORIGIN, read, {
      now,
      settings: DEFAULT_INCIDENT_SETTINGS,
      readInFull: true,
    });
    const open = first.notices.filter((n) => n.event === 'open');
    const after = markDelivered(first.state, open);
    const next = incidentStep(after, ORIGIN, [], {
      now: new Date(T0 + 6 * HOUR).toISOString(),
      settings: DEFAULT_INCIDENT_SETTINGS,
      readInFull: true,
    });
    expect(events(next.notices)).toEqual(['resolve']);
  });
});
