import type { Finding } from '../finding.ts';
import {
  applySessions,
  type ConnectorIncidentState,
  emptyIncidentState,
} from '../incidents/connector-incidents.ts';
import type {
  IncidentNotification,
  IncidentSubject,
  JudgedSession,
} from '../incidents/incident.ts';
import { dueNotifications, markDelivered, type SilencedAt } from '../incidents/notices.ts';
import type { IncidentSettings } from '../incidents/settings.ts';
import type { ReportOrigin } from '../session-report.ts';
import { attributableFindings } from './attributable.ts';
import type { AttributionState, SessionMark } from './attribution-state.ts';
import { CONNECTOR_SEPARATOR, chargerOf, own, Tabulation, withCleanSession } from './tabulation.ts';
import { decide, type Verdict } from './verdict.ts';

/** A session read by a run, and the connector it came from. */
export interface FleetSession {
  origin: ReportOrigin;
  session: JudgedSession;
}

/** What one run's attribution needs besides the sessions. */
export interface AttributionRun {
  now: string;
  /** The site-wide incident settings: the window, the hold, and the vehicles' and chargers' policy. */
  settings: IncidentSettings;
  /** A connector's incident settings, overrides applied. */
  settingsFor: (origin: ReportOrigin) => IncidentSettings;
  fleet: readonly { chargerId: string; connectors: readonly string[] }[];
  silenced?: SilencedAt;
}

/** A fleet with no sessions tabulated yet. */
export function emptyAttribution(): AttributionState {
  return {
    version: 2,
    failures: [],
    cleanByConnector: {},
    cleanByVehicle: {},
    seen: {},
    subjects: {},
  };
}

/** Re-reads come from the overlapping window and from cursors held back: a week and a day at most. */
const SEEN_RETENTION_MS = 8 * 86_400_000;

/**
 * One run's attribution: tabulates the sessions read (each once, however often re-read),
 * decides whose fault each waiting finding is, feeds it to that subject's incidents with the
 * same engine connectors use, and derives the notices due. Pure.
 */
export function attributionStep(
  previous: AttributionState | undefined,
  sessions: readonly FleetSession[],
  run: AttributionRun,
): { state: AttributionState; notices: IncidentNotification[]; changed: boolean } {
  const before = previous?.version === 2 ? previous : emptyAttribution();
  const { windowDays, holdHours } = run.settings.attribution;
  const now = Date.parse(run.now);
  const oldest = new Date(now - windowDays * 86_400_000).toISOString();
  const record = tabulate(before, sessions, new Date(now - SEEN_RETENTION_MS).toISOString());
  const fresh = record.fresh;
  // Failures leave with the window; one still waiting for a verdict is decided first.
  const failures = [
    ...before.failures.filter((m) => m.t >= oldest || m.held !== undefined),
    ...fresh.filter((m) => m.f.length > 0),
  ].map((m) => (m.held ? { ...m } : m));
  const held = failures.filter((m) => m.held).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));

  const connectors = new Map(run.fleet.map((c) => [c.chargerId, c.connectors]));
  const context = {
    now,
    // With one charger there is nothing to compare a bus with: waiting would only delay.
    holdMs: connectors.size >= 2 ? Math.min(holdHours, windowDays * 24) * 3_600_000 : 0,
    connectorsOf: (chargerId: string) => connectors.get(chargerId) ?? [],
  };
  const feeds = new Map<string, JudgedSession[]>();
  const feed = (subject: string, session: JudgedSession) => {
    const list = feeds.get(subject);
    if (list) list.push(session);
    else feeds.set(subject, [session]);
  };
  // Most runs hold nothing new to decide: the tabulation is built only when something waits
  // and its evidence moved.
  const due = held.filter(reconsider(failures, fresh, context));
  if (due.length > 0) {
    const table = new Tabulation({ ...record, failures }, oldest);
    for (const mark of due) route(mark, table, context, feed);
  }
  // A clean session counts for every record its vehicle and connector already have.
  for (const mark of fresh) {
    if (mark.f.length > 0) continue;
    for (const subject of recordsOf(mark)) feed(subject, sessionOf(mark, [], []));
  }

  const subjects = { ...before.subjects };
  for (const [subject, fed] of feeds) {
    const existing = Object.hasOwn(subjects, subject) ? subjects[subject] : undefined;
    if (!existing && !fed.some((s) => s.findings.length > 0)) continue;
    const state = existing ?? recordFor(subject);
    subjects[subject] = applySessions(state, fed, settingsOf(state, run));
  }
  const notices = Object.values(subjects).flatMap((state) =>
    dueNotifications(state, run.now, settingsOf(state, run), run.silenced),
  );
  const { cleanByConnector, cleanByVehicle, seen } = record;
  // What moves the record: sessions tabulated, failures that left the window or were decided,
  // a subject's incidents. Known here, so the caller never compares two whole records.
  const changed =
    before !== previous ||
    fresh.length > 0 ||
    due.length > 0 ||
    failures.length !== before.failures.length ||
    Object.keys(subjects).some((key) => subjects[key] !== before.subjects[key]);
  return {
    state: { version: 2, failures, cleanByConnector, cleanByVehicle, seen, subjects },
    notices,
    changed,
  };
}

/**
 * Adds the sessions not tabulated before: remembers each as seen, and a clean one as the
 * latest clean session of its vehicle on its connector. Only the connectors and vehicles read
 * are copied; the rest of the record is shared with the previous one, which stays as it was.
 */
function tabulate(
  before: AttributionState,
  sessions: readonly FleetSession[],
  seenSince: string,
): Pick<AttributionState, 'cleanByConnector' | 'cleanByVehicle' | 'seen'> & {
  fresh: (SessionMark & { f: string[] })[];
} {
  const seen = { ...before.seen };
  const cleanByConnector = { ...before.cleanByConnector };
  const cleanByVehicle = { ...before.cleanByVehicle };
  const known = new Map<string, Set<string>>();
  const fresh: SessionMark[] = [];
  for (const { origin, session } of sessions) {
    const mark = markOf(origin, session);
    let keys = known.get(mark.c);
    if (!keys) {
      keys = new Set(own(seen, mark.c).map(([k]) => k));
      known.set(mark.c, keys);
      // Each connector read has its list copied once, and what is too old to be read again dropped.
      seen[mark.c] = own(seen, mark.c).filter(([, t]) => t >= seenSince);
    }
    if (keys.has(mark.k)) continue;
    keys.add(mark.k);
    (seen[mark.c] as [string, string][]).push([mark.k, mark.t]);
    fresh.push(mark);
    if (mark.f.length > 0 || mark.v === undefined) continue;
    cleanByConnector[mark.c] = withCleanSession(own(cleanByConnector, mark.c), mark.v, mark.t);
    cleanByVehicle[mark.v] = withCleanSession(own(cleanByVehicle, mark.v), mark.c, mark.t);
  }
  return { seen, cleanByConnector, cleanByVehicle, fresh };
}

/**
 * Records the notices delivered, as `markDelivered` does for a connector, and forgets the
 * records that have nothing left to tell or to count (no incident, no opening in the window).
 * Returns `previous` itself when nothing changed.
 */
export function markAttributionDelivered(
  previous: AttributionState,
  delivered: readonly IncidentNotification[],
  run: Pick<AttributionRun, 'now' | 'settings' | 'silenced'>,
): AttributionState {
  const subjects: AttributionState['subjects'] = {};
  const since = Date.parse(run.now) - run.settings.escalate.withinDays * 86_400_000;
  for (const [record, state] of Object.entries(previous.subjects)) {
    const mine = delivered.filter((n) => state.incidents.some((i) => i.id === n.incident));
    const next = markDelivered(state, mine, run.silenced);
    const recent = Object.values(next.openings).some((times) =>
      times.some((t) => Date.parse(t) > since),
    );
    if (next.incidents.length > 0 || recent) subjects[record] = next;
  }
  // The same record when no subject moved or left: the caller then has nothing to write.
  const kept = Object.keys(subjects);
  const moved =
    kept.length !== Object.keys(previous.subjects).length ||
    kept.some((key) => subjects[key] !== previous.subjects[key]);
  return moved ? { ...previous, subjects } : previous;
}

/**
 * Which waiting findings can have a new verdict this run: those whose hold ran out, and those
 * whose evidence a fresh session touched — their vehicle or charger, a connector their
 * vehicle failed on, or a vehicle that failed on their charger. Evidence only ever grows with
 * sessions (the window's end can take some away, which decides nothing), so a finding nothing
 * touched would be left waiting anyway: skipping it changes no verdict, and saves a depot's
 * worth of tabulation on most runs.
 */
function reconsider(
  failures: readonly SessionMark[],
  fresh: readonly SessionMark[],
  context: { now: number; holdMs: number },
): (mark: SessionMark) => boolean {
  const touched = new Set<string>();
  for (const mark of fresh) {
    touched.add(`c:${mark.c}`);
    touched.add(`h:${chargerOf(mark.c)}`);
    if (mark.v !== undefined) touched.add(`v:${mark.v}`);
  }
  const failedOn = new Map<string, Set<string>>();
  const failedAt = new Map<string, Set<string>>();
  for (const mark of failures) {
    if (mark.v === undefined) continue;
    const connectors = failedOn.get(mark.v) ?? new Set();
    failedOn.set(mark.v, connectors.add(mark.c));
    const charger = chargerOf(mark.c);
    const vehicles = failedAt.get(charger) ?? new Set();
    failedAt.set(charger, vehicles.add(mark.v));
  }
  const anyTouched = (prefix: string, keys: Iterable<string> | undefined) => {
    for (const key of keys ?? []) if (touched.has(`${prefix}${key}`)) return true;
    return false;
  };
  return (mark) =>
    context.now - Date.parse(mark.t) >= context.holdMs ||
    touched.has(`h:${chargerOf(mark.c)}`) ||
    (mark.v !== undefined &&
      (touched.has(`v:${mark.v}`) || anyTouched('c:', failedOn.get(mark.v)))) ||
    anyTouched('v:', failedAt.get(chargerOf(mark.c)));
}

/** Decides what it can of a mark's waiting findings and feeds each decided one to its record. */
function route(
  mark: SessionMark,
  table: Tabulation,
  context: Parameters<typeof decide>[3],
  feed: (record: string, session: JudgedSession) => void,
): void {
  const waiting: Finding[] = [];
  const decided: Verdict[] = [];
  for (const finding of mark.held ?? []) {
    const verdict = decide(mark, finding, table, context);
    if (verdict) decided.push(verdict);
    else waiting.push(finding);
  }
  // A session joins its records once every finding in it is decided, so each record sees it once.
  if (waiting.length > 0) return;
  delete mark.held;
  const records = new Set([...recordsOf(mark), ...decided.map((v) => v.record)]);
  for (const record of records) {
    const mine = decided.filter((v) => v.record === record);
    const elsewhere = decided.filter((v) => v.record !== record).map((v) => v.finding.rule);
    feed(
      record,
      sessionOf(
        mark,
        mine.map((v) => v.finding),
        elsewhere,
      ),
    );
  }
}

/** The records a session of this vehicle on this connector speaks for. */
function recordsOf(mark: SessionMark): string[] {
  return [
    `connector:${mark.c}`,
    `charger:${chargerOf(mark.c)}`,
    ...(mark.v !== undefined ? [`vehicle:${mark.v}`] : []),
  ];
}

function sessionOf(mark: SessionMark, findings: Finding[], explained: string[]): JudgedSession {
  const at = mark.k.lastIndexOf('@');
  return {
    key: mark.k,
    sessionId: at > 0 ? mark.k.slice(0, at) : mark.k,
    at: mark.t,
    ...(mark.v !== undefined ? { vehicleId: mark.v } : {}),
    findings,
    ...(explained.length > 0 ? { explained } : {}),
  };
}

function markOf(origin: ReportOrigin, session: JudgedSession): SessionMark {
  const findings = attributableFindings(session.findings);
  return {
    k: session.key,
    c: `${origin.chargerId}${CONNECTOR_SEPARATOR}${origin.connectorId}`,
    t: session.at,
    ...(session.vehicleId !== undefined ? { v: session.vehicleId } : {}),
    f: [...new Set(findings.map((f) => f.rule))],
    ...(findings.length > 0 ? { held: findings } : {}),
  };
}

/** An empty incident record for a vehicle, charger or connector key. */
function recordFor(record: string): ConnectorIncidentState {
  const colon = record.indexOf(':');
  const kind = record.slice(0, colon) as IncidentSubject;
  const name = record.slice(colon + 1);
  const origin: ReportOrigin =
    kind === 'connector'
      ? {
          chargerId: chargerOf(name),
          connectorId: name.slice(name.indexOf(CONNECTOR_SEPARATOR) + 1),
        }
      : kind === 'charger'
        ? { chargerId: name, connectorId: '*' }
        : { chargerId: '_vehicle', connectorId: name };
  return { ...emptyIncidentState(origin), subject: kind };
}

function settingsOf(state: ConnectorIncidentState, run: AttributionRun): IncidentSettings {
  return state.subject === 'connector' ? run.settingsFor(state) : run.settings;
}
