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
import { CONNECTOR_SEPARATOR, chargerOf, Tabulation } from './tabulation.ts';
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
  return { version: 1, marks: [], subjects: {} };
}

/**
 * One run's attribution: tabulates the sessions read (each once, however often re-read),
 * decides whose fault each waiting finding is, feeds it to that subject's incidents with the
 * same engine connectors use, and derives the notices due. Pure.
 */
export function attributionStep(
  previous: AttributionState | undefined,
  sessions: readonly FleetSession[],
  run: AttributionRun,
): { state: AttributionState; notices: IncidentNotification[] } {
  const before = previous ?? emptyAttribution();
  const { windowDays, holdHours } = run.settings.attribution;
  const now = Date.parse(run.now);
  const known = knownKeys(before);
  const fresh: SessionMark[] = [];
  for (const { origin, session } of sessions) {
    const mark = markOf(origin, session);
    if (known.has(markKey(mark))) continue;
    known.add(markKey(mark));
    fresh.push(mark);
  }
  const oldest = new Date(now - windowDays * 86_400_000).toISOString();
  // Marks are only ever replaced, never changed in place: held ones are copied before routing.
  const marks = [
    ...before.marks.filter((m) => m.t >= oldest || m.held !== undefined),
    ...fresh,
  ].map((m) => (m.held ? { ...m } : m));
  knownByState.set(marks, known);
  const held = marks.filter((m) => m.held).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));

  // Most runs hold nothing to decide: the tabulation is built only when something waits.
  const table = held.length > 0 ? new Tabulation(marks) : undefined;
  const connectors = new Map(run.fleet.map((c) => [c.chargerId, c.connectors]));
  const context = {
    now,
    // With one charger there is nothing to compare a bus with: waiting would only delay.
    holdMs: connectors.size >= 2 ? Math.min(holdHours, windowDays * 24) * 3_600_000 : 0,
    connectorsOf: (chargerId: string) => connectors.get(chargerId) ?? [],
  };
  const feeds = new Map<string, JudgedSession[]>();
  const feed = (record: string, session: JudgedSession) => {
    feeds.set(record, [...(feeds.get(record) ?? []), session]);
  };
  for (const mark of held) if (table) route(mark, table, context, feed);
  // A clean session counts for every record its vehicle and connector already have.
  for (const mark of fresh) {
    if (mark.f) continue;
    for (const record of recordsOf(mark)) feed(record, sessionOf(mark, [], []));
  }

  const subjects = { ...before.subjects };
  for (const [record, fed] of feeds) {
    const existing = subjects[record];
    if (!existing && !fed.some((s) => s.findings.length > 0)) continue;
    const state = existing ?? recordFor(record);
    subjects[record] = applySessions(state, fed, settingsOf(state, run));
  }
  const notices = Object.values(subjects).flatMap((state) =>
    dueNotifications(state, run.now, settingsOf(state, run), run.silenced),
  );
  return { state: { version: 1, marks, subjects }, notices };
}

/**
 * Records the notices delivered, as `markDelivered` does for a connector, and forgets the
 * records that have nothing left to tell or to count (no incident, no opening in the window).
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
  return { ...previous, subjects };
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
  const mark: SessionMark = {
    k: session.key,
    c: `${origin.chargerId}${CONNECTOR_SEPARATOR}${origin.connectorId}`,
    t: session.at,
    ...(session.vehicleId !== undefined ? { v: session.vehicleId } : {}),
  };
  const findings = attributableFindings(session.findings);
  if (findings.length > 0) {
    mark.f = [...new Set(findings.map((f) => f.rule))];
    mark.held = findings;
  }
  return mark;
}

/**
 * The keys of a record's marks. A backtest hands each run's record to the next in memory:
 * the set built for it is reused rather than built again from every mark of the window.
 */
const knownByState = new WeakMap<readonly SessionMark[], Set<string>>();

function knownKeys(state: AttributionState): Set<string> {
  const cached = knownByState.get(state.marks);
  if (cached) {
    knownByState.delete(state.marks);
    return cached;
  }
  return new Set(state.marks.map(markKey));
}

function markKey(mark: SessionMark): string {
  return `${mark.c}\u001e${mark.k}`;
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
