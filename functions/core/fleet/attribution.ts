import type { Finding } from '../finding.ts';
import { attributableFindings } from '../incidents/attributable.ts';
import {
  applySessions,
  type ConnectorIncidentState,
  emptyIncidentState,
  heldForFleet,
  incidentKey,
} from '../incidents/connector-incidents.ts';
import type {
  IncidentNotification,
  IncidentSubject,
  JudgedSession,
} from '../incidents/incident.ts';
import { dueNotifications, markDelivered, type SilencedAt } from '../incidents/notices.ts';
import { holdsKey } from '../incidents/seen-keys.ts';
import type { IncidentSettings } from '../incidents/settings.ts';
import type { ReportOrigin } from '../session-report.ts';
import type { AttributionState, SessionMark } from './attribution-state.ts';
import { entriesOf, heldBy } from './entry-table.ts';
import {
  type Attributed,
  type ClosedRecords,
  closeAttributed,
  withPeerChanges,
} from './joined-incidents.ts';
import { latestOpening } from './latest-opening.ts';
import { type PeerStep, peerStep } from './peer-marks.ts';
import { reconsider } from './reconsider.ts';
import { chargerOf, connectorOf, originOf, Tabulation, withCleanSession } from './tabulation.ts';
import { decide, type Verdict } from './verdict.ts';

/** A session read by a run, and the connector it came from. */
export interface FleetSession {
  origin: ReportOrigin;
  session: JudgedSession;
}

/** One connector's sessions read by a run. */
export interface ConnectorSessions {
  origin: ReportOrigin;
  sessions: readonly JudgedSession[];
}

/**
 * A run's sessions, connector by connector, each connector once and in the same order on
 * every pass. The fleet step goes through them more than once and keeps only what it needs
 * of each, so they can come from a file rather than all be held at once.
 */
export type FleetSessions = Iterable<ConnectorSessions>;

/** Sessions in a list, as `FleetSessions`: each connector's in the order they came. */
export function byConnector(sessions: readonly FleetSession[]): ConnectorSessions[] {
  const groups = new Map<string, { origin: ReportOrigin; sessions: JudgedSession[] }>();
  for (const { origin, session } of sessions) {
    const key = connectorOf(origin);
    const group = groups.get(key);
    if (group) group.sessions.push(session);
    else groups.set(key, { origin, sessions: [session] });
  }
  return [...groups.values()];
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
  /**
   * The caller hands the previous record over and never reads it again (the backtest, which
   * keeps only the latest): its tables are then updated in place instead of copied, which
   * saves copying a depot's worth of keys on every run. Off for the scan: a record it could
   * not save must stay as it was.
   */
  inPlace?: boolean;
  /**
   * A connector's own incident record, for closing the incidents it told first once the fleet
   * attributes their fault to a vehicle or a whole charger. Without it nothing is closed.
   */
  connectorRecord?: (origin: ReportOrigin) => ConnectorIncidentState | undefined;
  /** This run's drift against sister connectors, when the caller worked it out first. */
  peers?: PeerStep;
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
 * same engine connectors use, and derives the notices due. Pure, unless `run.inPlace`.
 */
export function attributionStep(
  previous: AttributionState | undefined,
  sessions: FleetSessions,
  run: AttributionRun,
): {
  state: AttributionState;
  notices: IncidentNotification[];
  changed: boolean;
  /** Connector records whose incidents the fleet closed this run: the caller saves them. */
  closed: ClosedRecords;
} {
  const before = previous?.version === 2 ? previous : emptyAttribution();
  const { windowDays, holdHours } = run.settings.attribution;
  const now = Date.parse(run.now);
  const oldest = new Date(now - windowDays * 86_400_000).toISOString();
  const record = tabulate(
    before,
    sessions,
    new Date(now - SEEN_RETENTION_MS).toISOString(),
    run.inPlace === true,
  );
  const { fresh, touched } = record;
  // Failures leave with the window; one still waiting for a verdict is decided first, on a
  // copy of its own (deciding changes it). One pass: the window holds thousands.
  const failures: SessionMark[] = [];
  const held: SessionMark[] = [];
  const keep = (mark: SessionMark) => {
    failures.push(mark);
    if (mark.held) held.push(mark);
  };
  for (const m of before.failures)
    if (m.t >= oldest || m.held !== undefined) keep(m.held ? { ...m } : m);
  // A fresh mark is this run's own: decided as it is.
  for (const m of fresh) if (m.f.length > 0) keep(m);
  held.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));

  const connectors = connectorsByCharger(run.fleet);
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
  const due = reconsider(held, failures, touched, context);
  const attributed: Attributed[] = [];
  if (due.length > 0) {
    const table = new Tabulation({ ...record, failures }, oldest);
    const toldFirst = (mark: SessionMark, finding: Finding) =>
      !heldForFleet(finding, run.settingsFor(originOf(mark.c)));
    for (const mark of due) route(mark, table, context, feed, toldFirst, attributed);
  }
  // A clean session counts for every record its vehicle and connector already have, or get
  // now: read again from the sessions rather than kept from the tabulation.
  feedClean(sessions, record, [...Object.keys(before.subjects), ...feeds.keys()], feed);
  const peers = run.peers ?? peerStep(before, sessions, run.fleet, run.settings.drift);

  const subjects = run.inPlace ? before.subjects : { ...before.subjects };
  // Whether a subject's record moved, noted as it is fed rather than found by comparing all.
  let fedMoved = false;
  for (const [subject, fed] of feeds) {
    const existing = Object.hasOwn(subjects, subject) ? subjects[subject] : undefined;
    if (!existing && !fed.some((s) => s.findings.length > 0)) continue;
    const state = existing ?? recordFor(subject);
    const next = applySessions(state, fed, settingsOf(state, run));
    subjects[subject] = next;
    if (next !== existing) fedMoved = true;
  }
  const closed = withPeerChanges(
    closeAttributed(attributed, subjects, run.connectorRecord, run.now),
    peers.changes,
    run.connectorRecord,
  );
  if (closed.length > 0) fedMoved = true;
  // Most subjects hold no incident, only openings that count towards escalation: nothing due.
  const notices: IncidentNotification[] = [];
  for (const state of Object.values(subjects))
    if (state.incidents.length > 0)
      notices.push(...dueNotifications(state, run.now, settingsOf(state, run), run.silenced));
  const { cleanByConnector, cleanByVehicle, seen } = record;
  // What moves the record: sessions tabulated, failures that left the window or were decided,
  // a subject's incidents. Known here, so the caller never compares two whole records.
  const changed =
    before !== previous ||
    peers.state !== before.peers ||
    peers.changes.length > 0 ||
    record.freshCount > 0 ||
    due.length > 0 ||
    failures.length !== before.failures.length ||
    fedMoved;
  return {
    state: {
      version: 2,
      failures,
      cleanByConnector,
      cleanByVehicle,
      seen,
      subjects,
      ...(peers.state ? { peers: peers.state } : {}),
      ...(Object.keys(peers.marks).length > 0 ? { peerMarks: peers.marks } : {}),
    },
    notices,
    changed,
    closed,
  };
}

/**
 * Adds the sessions not tabulated before: remembers each as seen, and a clean one as the
 * latest clean session of its vehicle on its connector. Only the connectors and vehicles read
 * are copied; the rest of the record is shared with the previous one, which stays as it was
 * (unless it was handed over `inPlace`: then its tables themselves take the new lists).
 *
 * Of the new sessions it keeps the failed ones; of the clean ones, where each connector's
 * begin in its list of sessions seen (see `feedClean`), and what all of them touched.
 */
function tabulate(
  before: AttributionState,
  sessions: FleetSessions,
  seenSince: string,
  inPlace: boolean,
): Pick<AttributionState, 'cleanByConnector' | 'cleanByVehicle' | 'seen'> & {
  fresh: SessionMark[];
  freshCount: number;
  touched: Touched;
  cleanFrom: CleanFrom;
} {
  const seen = entriesOf(before.seen, !inPlace);
  const cleanByConnector = entriesOf(before.cleanByConnector, !inPlace);
  const cleanByVehicle = entriesOf(before.cleanByVehicle, !inPlace);
  // Only what the window's earlier failures name is asked about: a set of a few thousand
  // keys at most, where noting every connector, charger and vehicle read held the fleet.
  const named = touchedBy(before.failures);
  const touched: Touched = { connectors: new Set(), chargers: new Set(), vehicles: new Set() };
  const fresh: SessionMark[] = [];
  const cleanFrom: CleanFrom = [];
  let freshCount = 0;
  for (const { origin, sessions: read } of sessions) {
    cleanFrom.push(-1);
    if (read.length === 0) continue;
    const c = connectorOf(origin);
    const at = cleanFrom.length - 1;
    const was = seen.get(c) ?? [];
    // Each connector read has its list copied once, and what is too old to be read again dropped.
    const list = was.filter(([, t]) => t >= seenSince);
    const from = list.length;
    let clean = cleanByConnector.get(c);
    for (const session of read) {
      // Known: in the list as it was (old keys too: dropping them must not make them new), or
      // added this run. A run brings a session or two per connector: scanning its few dozen
      // keys is far cheaper than building a set of them, as every run once did.
      if (holdsKey(was, session.key) || holdsKey(list, session.key, from)) continue;
      const mark = markOf(c, session);
      list.push([mark.k, mark.t]);
      freshCount++;
      // A fresh failure's own connector, charger and vehicle are noted whatever names them.
      noteTouched(touched, mark, mark.f.length > 0 ? undefined : named);
      if (mark.f.length > 0) {
        fresh.push(mark);
        continue;
      }
      if (cleanFrom[at] === -1) cleanFrom[at] = from;
      if (mark.v === undefined) continue;
      clean = withCleanSession(clean ?? [], mark.v, mark.t);
      cleanByVehicle.set(mark.v, withCleanSession(cleanByVehicle.get(mark.v) ?? [], c, mark.t));
    }
    // Written once per connector: an entry kept in a file is the run's own copy until set.
    seen.set(c, list);
    if (clean) cleanByConnector.set(c, clean);
  }
  return {
    seen: heldBy(seen),
    cleanByConnector: heldBy(cleanByConnector),
    cleanByVehicle: heldBy(cleanByVehicle),
    fresh,
    freshCount,
    touched,
    cleanFrom,
  };
}

/**
 * The vehicles, connectors and chargers a run's new sessions came from: of those, the ones
 * the window's failures name, which are all that `reconsider` looks up.
 */
export interface Touched {
  connectors: Set<string>;
  chargers: Set<string>;
  vehicles: Set<string>;
}

/** The connectors, chargers and vehicles these failures name. */
function touchedBy(failures: readonly SessionMark[]): Touched {
  const named: Touched = { connectors: new Set(), chargers: new Set(), vehicles: new Set() };
  for (const mark of failures) noteTouched(named, mark);
  return named;
}

/** Notes a session's connector, charger and vehicle, those `named` holds when given. */
function noteTouched(touched: Touched, mark: SessionMark, named?: Touched): void {
  const charger = chargerOf(mark.c);
  if (!named || named.connectors.has(mark.c)) touched.connectors.add(mark.c);
  if (!named || named.chargers.has(charger)) touched.chargers.add(charger);
  if (mark.v !== undefined && (!named || named.vehicles.has(mark.v))) touched.vehicles.add(mark.v);
}

/**
 * Per connector, by its place among the run's sessions (each pass meets them in the same
 * order): where its new clean sessions begin in its list of sessions seen, or -1 for none.
 * Numbers in a list: a first run has one for every connector of the depot.
 */
type CleanFrom = number[];

/**
 * Feeds the run's new clean sessions, in the order they were tabulated, to the records of
 * theirs that count (a record that exists or is fed this run). New: past where their
 * connector's new sessions begin in its list of sessions seen, each once. Sessions are read
 * again rather than kept: on a depot's first run nearly every one is new and clean.
 */
function feedClean(
  sessions: FleetSessions,
  record: { seen: AttributionState['seen']; cleanFrom: Readonly<CleanFrom> },
  /** The records that count: those that exist, and those fed this run. */
  counting: readonly string[],
  feed: (subject: string, session: JudgedSession) => void,
): void {
  if (counting.length === 0 || !record.cleanFrom.some((from) => from >= 0)) return;
  // The few records that count, by kind: most connectors have none, and are passed over
  // without a name built or a list read for any of their sessions.
  const byKind = new Map<IncidentSubject, Set<string>>();
  for (const subject of counting) {
    const [kind, name] = partsOf(subject);
    byKind.set(kind, (byKind.get(kind) ?? new Set()).add(name));
  }
  const has = (kind: IncidentSubject, name: string) => byKind.get(kind)?.has(name) === true;
  const counts = (subject: string) => has(...partsOf(subject));
  const seen = entriesOf(record.seen);
  let at = 0;
  for (const { origin, sessions: read } of sessions) {
    const from = record.cleanFrom[at++] ?? -1;
    if (from < 0) continue;
    const c = connectorOf(origin);
    const anyCounts =
      has('connector', c) ||
      has('charger', origin.chargerId) ||
      read.some((s) => s.vehicleId !== undefined && has('vehicle', s.vehicleId));
    if (!anyCounts) continue;
    const list = seen.get(c) ?? [];
    const fed = new Set<string>();
    for (const session of read) {
      if (fed.has(session.key) || !holdsKey(list, session.key, from)) continue;
      fed.add(session.key);
      const mark = markOf(c, session);
      if (mark.f.length > 0) continue;
      // One clean session, the same for each of its records (the engine copies what it keeps).
      const clean = sessionOf(mark, [], []);
      for (const subject of recordsOf(mark)) if (counts(subject)) feed(subject, clean);
    }
  }
}

/**
 * Records the notices delivered, as `markDelivered` does for a connector, and forgets the
 * records that have nothing left to tell or to count (no incident, no opening in the window).
 * Returns `previous` itself when nothing changed — and always with `run.inPlace`, which
 * changes its subjects in place.
 */
export function markAttributionDelivered(
  previous: AttributionState,
  delivered: readonly IncidentNotification[],
  run: Pick<AttributionRun, 'now' | 'settings' | 'silenced' | 'inPlace'>,
): AttributionState {
  const inPlace = run.inPlace === true;
  const subjects: AttributionState['subjects'] = inPlace ? previous.subjects : {};
  const since = Date.parse(run.now) - run.settings.escalate.withinDays * 86_400_000;
  // Whether a subject moved or left, noted on the way: the caller then has something to write.
  let moved = false;
  for (const [record, state] of Object.entries(previous.subjects)) {
    // Most runs deliver nothing, and most subjects hold no incident a notice could be about.
    const mine =
      delivered.length === 0 || state.incidents.length === 0
        ? []
        : delivered.filter((n) => state.incidents.some((i) => i.id === n.incident));
    const next = markDelivered(state, mine, run.silenced);
    if (next.incidents.length > 0 || latestOpening(next.openings) > since) {
      subjects[record] = next;
      if (next !== state) moved = true;
    } else {
      if (inPlace) delete subjects[record];
      moved = true;
    }
  }
  return moved && !inPlace ? { ...previous, subjects } : previous;
}

/** Decides what it can of a mark's waiting findings and feeds each decided one to its record. */
function route(
  mark: SessionMark,
  table: Tabulation,
  context: Parameters<typeof decide>[3],
  feed: (record: string, session: JudgedSession) => void,
  toldFirst: (mark: SessionMark, finding: Finding) => boolean,
  attributed: Attributed[],
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
  // A finding its connector told first stays there unless the fleet blames a vehicle or a
  // whole charger: then that record takes it, and the connector's incident is closed.
  const kept: Verdict[] = [];
  const explainedHere: string[] = [];
  for (const verdict of decided) {
    if (!toldFirst(mark, verdict.finding)) kept.push(verdict);
    else if (verdict.subject === 'connector') explainedHere.push(verdict.finding.rule);
    else {
      kept.push(verdict);
      attributed.push({
        connector: mark.c,
        key: incidentKey(verdict.finding),
        sessionId: verdict.finding.sessionId,
        record: verdict.record,
      });
    }
  }
  const records = new Set([...recordsOf(mark), ...kept.map((v) => v.record)]);
  for (const record of records) {
    const mine = kept.filter((v) => v.record === record);
    const elsewhere = [
      ...kept.filter((v) => v.record !== record).map((v) => v.finding.rule),
      ...explainedHere,
    ];
    feed(
      record,
      sessionOf(
        mark,
        mine.map((v) => v.finding),
        [...new Set(elsewhere)],
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

function markOf(c: string, session: JudgedSession): SessionMark {
  const findings = attributableFindings(session.findings);
  return {
    k: session.key,
    c,
    t: session.at,
    ...(session.vehicleId !== undefined ? { v: session.vehicleId } : {}),
    f: [...new Set(findings.map((f) => f.rule))],
    ...(findings.length > 0 ? { held: findings } : {}),
  };
}

/** A record key's kind and name: `vehicle:<id>` is `['vehicle', '<id>']`. */
function partsOf(record: string): [IncidentSubject, string] {
  const colon = record.indexOf(':');
  return [record.slice(0, colon) as IncidentSubject, record.slice(colon + 1)];
}

/** An empty incident record for a vehicle, charger or connector key. */
function recordFor(record: string): ConnectorIncidentState {
  const [kind, name] = partsOf(record);
  const origin: ReportOrigin =
    kind === 'connector'
      ? originOf(name)
      : kind === 'charger'
        ? { chargerId: name, connectorId: '*' }
        : { chargerId: '_vehicle', connectorId: name };
  return { ...emptyIncidentState(origin), subject: kind };
}

function settingsOf(state: ConnectorIncidentState, run: AttributionRun): IncidentSettings {
  return state.subject === 'connector' ? run.settingsFor(state) : run.settings;
}

/**
 * The connectors of each charger, as the config lists them: the same fleet comes back on every
 * run of a backtest, so its index is built once per fleet array rather than once per run.
 */
function connectorsByCharger(
  fleet: AttributionRun['fleet'],
): ReadonlyMap<string, readonly string[]> {
  let index = fleetIndex.get(fleet);
  if (!index) {
    index = new Map(fleet.map((c) => [c.chargerId, c.connectors]));
    fleetIndex.set(fleet, index);
  }
  return index;
}

const fleetIndex = new WeakMap<AttributionRun['fleet'], ReadonlyMap<string, readonly string[]>>();
