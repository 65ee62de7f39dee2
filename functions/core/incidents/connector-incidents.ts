import { createHash } from 'node:crypto';
import type { Finding } from '../finding.ts';
import type { ReportOrigin } from '../session-report.ts';
import { ATTRIBUTABLE_RULES, FAULTED } from './attributable.ts';
import { type Confirm, toldAtOnce } from './confirm.ts';
import { type DriftState, observeDrift } from './drift.ts';
import type { Incident, IncidentSubject, JudgedSession } from './incident.ts';
import { moreSevere, stepUp } from './incident.ts';
import { holdsKey } from './seen-keys.ts';
import { confirmFor, type IncidentSettings, policyFor } from './settings.ts';

/** What a Faulted connector causes in its own session: these join its incident as context. */
const SYMPTOMS_OF_FAULTED = new Set(['no-energy-delivered', 'energy-shortfall', 'soc-shortfall']);
/** The incident a connector gets when its sessions stop coming. */
export const CONNECTOR_SILENT = 'connector-silent';

const RECENT_SESSIONS = 50;
const KEPT_SESSION_IDS = 20;
/** Re-reads come from the overlapping window (a day at most): older sessions are forgotten. */
const SEEN_RETENTION_MS = 8 * 86_400_000;

/**
 * One connector's incidents and the little history they need, as kept in the state store:
 * bounded by the number of faults and a few dozen recent sessions, never by the archive.
 * The same record serves the subjects faults are attributed to (a vehicle, a charger): then
 * `subject` says which, and the origin names it.
 */
export interface ConnectorIncidentState extends ReportOrigin {
  version: 1;
  /** Absent for a connector's own record. */
  subject?: IncidentSubject;
  incidents: Incident[];
  /** The latest sessions, oldest first, with the incident keys that fired in each and when it ended. */
  recent: { key: string; fired: string[]; at?: string }[];
  /** Sessions already applied, `[key, end time]` oldest first, so a re-read changes nothing. */
  seen: [string, string][];
  /** When each fault opened within the escalation window, by incident key. */
  openings: Record<string, string[]>;
  /** When the connector's latest session ended. */
  lastSessionAt?: string;
  /** The connector's drift baselines (connector records only). */
  drift?: DriftState;
}

/** A connector with no incident history yet. */
export function emptyIncidentState(origin: ReportOrigin): ConnectorIncidentState {
  return { ...origin, version: 1, incidents: [], recent: [], seen: [], openings: {} };
}

/** The key of a finding's incident within its connector: rule and what it names. */
export function incidentKey(finding: Pick<Finding, 'rule'> & { discriminator?: string }): string {
  return finding.discriminator ? `${finding.rule}\u001f${finding.discriminator}` : finding.rule;
}

/**
 * Applies sessions to a connector's incidents, oldest first; sessions already applied are
 * skipped, so overlapping windows and re-runs give the same incidents as one clean pass.
 * Pure: returns the new state and leaves the old one as it was.
 */
export function applySessions(
  previous: ConnectorIncidentState,
  sessions: readonly JudgedSession[],
  settings: IncidentSettings,
): ConnectorIncidentState {
  if (sessions.length === 0) return previous;
  // The records of attributed subjects are fed each session once by the fleet's own record,
  // which remembers what it tabulated: only a connector's own record needs to.
  const remembers = previous.subject === undefined;
  // A session can come twice in one read, too: pages shift when sessions arrive meanwhile.
  const fresh: JudgedSession[] = [];
  if (sessions.length === 1) {
    // Most runs bring one session: a scan of the remembered keys beats building a set of them.
    const [session] = sessions as [JudgedSession];
    if (!remembers || !holdsKey(previous.seen, session.key)) fresh.push(session);
  } else {
    const known = new Set(remembers ? previous.seen.map(([key]) => key) : []);
    for (const session of sessions) {
      if (known.has(session.key)) continue;
      known.add(session.key);
      fresh.push(session);
    }
  }
  fresh.sort((a, b) => compare(a.at, b.at) || compare(a.key, b.key));
  // Most runs of most connectors bring nothing new: no copy then.
  if (fresh.length === 0) return previous;
  const state = copyOf(previous);
  // Baselines are changed in place, session by session: the copy gets its own.
  if (previous.drift) state.drift = copyOfDrift(previous.drift);
  for (const session of fresh) applyOne(state, session, settings);
  if (remembers) {
    const oldest = new Date(
      Date.parse(state.lastSessionAt ?? '') - SEEN_RETENTION_MS,
    ).toISOString();
    state.seen = state.seen.filter(([, at]) => at >= oldest);
  }
  return state;
}

/**
 * A copy the engine may change. Arrays inside an incident are only ever replaced, never
 * changed in place, so copying each incident one level deep is enough — and much cheaper than
 * a deep clone on every session of every connector.
 */
export function copyOf(state: ConnectorIncidentState): ConnectorIncidentState {
  return {
    ...state,
    incidents: state.incidents.map((i) => ({ ...i, notified: { ...i.notified } })),
    recent: [...state.recent],
    seen: [...state.seen],
    openings: { ...state.openings },
  };
}

/**
 * A copy of drift baselines that observeDrift may change in place: it pushes to and shifts
 * `days`, `recent` and the open day's values, and replaces everything else; the tuples inside
 * are never changed, so they are shared. Far cheaper than structuredClone, which every session
 * of every connector paid.
 */
function copyOfDrift(drift: DriftState): DriftState {
  const copy: DriftState = {};
  for (const [rule, baseline] of Object.entries(drift)) {
    copy[rule] = {
      ...baseline,
      days: [...baseline.days],
      recent: [...baseline.recent],
      ...(baseline.open ? { open: [baseline.open[0], [...baseline.open[1]]] } : {}),
    };
  }
  return copy;
}

/** Plain code-unit order: ISO timestamps and keys sort right, without a locale's collation. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function applyOne(
  state: ConnectorIncidentState,
  session: JudgedSession,
  settings: IncidentSettings,
): void {
  if (state.subject === undefined) state.seen.push([session.key, session.at]);
  if (!state.lastSessionAt || session.at > state.lastSessionAt) state.lastSessionAt = session.at;

  const drift = driftOf(state, session, settings);
  const findings = [...session.findings, ...drift.findings];
  const faulted = findings.some((f) => f.rule === FAULTED);
  const symptoms = faulted ? findings.filter((f) => SYMPTOMS_OF_FAULTED.has(f.rule)) : [];
  // A connector's own record leaves the faults a vehicle can cause to the fleet's attribution;
  // they judge nothing here, and neither does what the session's subject explains elsewhere.
  // A finding told at once (critical, by default) is told here first; the fleet refines it later.
  const attributed =
    state.subject === undefined && settings.attribution.enabled && !faulted
      ? findings.filter((f) => heldForFleet(f, settings))
      : [];
  const fired = new Map<string, Finding>();
  for (const finding of findings) {
    if (symptoms.includes(finding) || attributed.includes(finding)) continue;
    const key = incidentKey(finding);
    const earlier = fired.get(key);
    if (!earlier || moreSevere(finding.severity, earlier.severity)) fired.set(key, finding);
  }
  state.recent.push({ key: session.key, fired: [...fired.keys()], at: session.at });
  if (state.recent.length > RECENT_SESSIONS)
    state.recent.splice(0, state.recent.length - RECENT_SESSIONS);

  for (const [key, finding] of fired) {
    let incident = state.incidents.find((i) => i.key === key && i.status !== 'resolved');
    if (!incident) {
      incident = newIncident(key, finding, session, state);
      state.incidents.push(incident);
    }
    recordFinding(incident, finding, session, state.subject === 'vehicle');
    if (finding.rule === FAULTED && symptoms.length > 0) incident.context = symptoms;
    if (incident.status === 'pending') maybeOpen(state, incident, session, settings);
  }

  // A session is clean for an incident when its rule judged it and did not fire; a symptom
  // explained by a Faulted connector judges nothing.
  const inhibited = new Set([
    ...symptoms.map((f) => f.rule),
    ...attributed.map((f) => f.rule),
    ...(session.explained ?? []),
    ...drift.inhibited,
  ]);
  for (const incident of state.incidents) {
    if (fired.has(incident.key) || incident.status === 'resolved') continue;
    if (inhibited.has(incident.rule)) continue;
    if (incident.cleanSessions.length === 0 && session.seenAt !== undefined)
      incident.cleanSeenAt = session.seenAt;
    incident.cleanSessions = [...incident.cleanSessions, session.sessionId].slice(
      -KEPT_SESSION_IDS,
    );
    if (incident.rule === CONNECTOR_SILENT) {
      // Any session at all ends a silence.
      resolve(incident, session.at);
    } else if (incident.status === 'pending') {
      const { confirm } = policyFor(settings, incident.rule, incident.severity);
      if (firedWithin(state, incident.key, confirm, session.at) === 0)
        state.incidents.splice(state.incidents.indexOf(incident), 1);
    } else {
      const needed = policyFor(
        settings,
        incident.rule,
        incident.severity,
      ).resolveAfterCleanSessions;
      if (incident.cleanSessions.length >= needed) resolve(incident, session.at);
    }
  }
}

/** Drift findings of a connector's session: its figures against the connector's own baselines. */
function driftOf(
  state: ConnectorIncidentState,
  session: JudgedSession,
  settings: IncidentSettings,
): { findings: Finding[]; inhibited: string[] } {
  if (state.subject !== undefined || !session.facts || !settings.drift.enabled)
    return { findings: [], inhibited: [] };
  state.drift ??= {};
  return observeDrift(
    state.drift,
    {
      sessionId: session.sessionId,
      at: session.at,
      facts: session.facts,
      ...(session.vehicleId !== undefined ? { vehicleId: session.vehicleId } : {}),
    },
    state,
    settings.drift,
    new Set(session.findings.map((f) => f.rule)),
  );
}

/** A new, pending incident of a record, first seen in this session. */
export function newIncident(
  key: string,
  finding: Finding,
  session: JudgedSession,
  owner: ConnectorIncidentState,
): Incident {
  return {
    id: incidentId(owner, key, session.key),
    key,
    rule: finding.rule,
    subject: owner.subject ?? 'connector',
    chargerId: finding.chargerId,
    connectorId: finding.connectorId,
    status: 'pending',
    severity: finding.severity,
    occurrence: 1,
    escalated: false,
    firstFindingAt: session.at,
    lastFindingAt: session.at,
    sessionIds: [],
    failedSinceNotice: [],
    failedSinceNoticeCount: 0,
    cleanSessions: [],
    latest: finding,
    context: [],
    notified: {},
  };
}

/** The same fault first seen in the same session always gets the same id. */
function incidentId(where: { chargerId: string; connectorId: string }, key: string, first: string) {
  const hash = createHash('sha256')
    .update([where.chargerId, where.connectorId, key, first].join('\u001f'))
    .digest('hex');
  return `inc-${hash.slice(0, 20)}`;
}

/**
 * Adds a session's finding to its incident. The incident names a vehicle only when the vehicle
 * is what it blames — a vehicle's incident, or a connector's fault seen with one bus only (the
 * pair): on any other incident a vehicle id would read as blame for a bus that was merely there.
 */
function recordFinding(
  incident: Incident,
  finding: Finding,
  session: JudgedSession,
  aboutVehicle: boolean,
): void {
  incident.latest = finding;
  incident.lastFindingAt = session.at;
  if (moreSevere(finding.severity, incident.severity) && !incident.escalated)
    incident.severity = finding.severity;
  const blamed = aboutVehicle || finding.evidence.attributedTo === 'pair';
  if (blamed && session.vehicleId !== undefined) incident.vehicleId = session.vehicleId;
  else delete incident.vehicleId;
  incident.sessionIds = [...incident.sessionIds, session.sessionId].slice(-KEPT_SESSION_IDS);
  incident.failedSinceNotice = [...incident.failedSinceNotice, session.sessionId].slice(
    -KEPT_SESSION_IDS,
  );
  if (incident.failedSinceNoticeCount === 0 && session.seenAt !== undefined)
    incident.seenSinceNotice = session.seenAt;
  incident.firstSeenAt ??= session.seenAt;
  incident.failedSinceNoticeCount++;
  if (finding.severity === 'critical') incident.criticalSinceNotice = true;
  incident.cleanSessions = [];
  delete incident.cleanSeenAt;
}

/** Sessions with the fault among those a confirmation policy counts, up to the session at `at`. */
function firedWithin(
  state: ConnectorIncidentState,
  key: string,
  confirm: Confirm,
  at: string,
): number {
  const since =
    confirm.withinHours !== undefined ? Date.parse(at) - confirm.withinHours * 3_600_000 : -1;
  const recent = state.recent.slice(-(confirm.withinSessions ?? RECENT_SESSIONS));
  let count = 0;
  for (const s of recent)
    if (s.fired.includes(key) && (since < 0 || s.at === undefined || Date.parse(s.at) >= since))
      count++;
  return count;
}

/**
 * Whether a connector's own record leaves a finding to the fleet's attribution: a fault the
 * vehicle can cause, of a severity that waits for confirmation. One told at once is told here.
 */
export function heldForFleet(finding: Finding, settings: IncidentSettings): boolean {
  return (
    ATTRIBUTABLE_RULES.has(finding.rule) &&
    !toldAtOnce(confirmFor(settings, finding.rule, finding.severity))
  );
}

/** Opens a pending incident once it has N findings within the last M sessions. */
function maybeOpen(
  state: ConnectorIncidentState,
  incident: Incident,
  session: JudgedSession,
  settings: IncidentSettings,
): void {
  const policy = policyFor(settings, incident.rule, incident.severity);
  if (firedWithin(state, incident.key, policy.confirm, session.at) < policy.confirm.sessions)
    return;
  openIncident(state, incident, session.at, policy.escalate);
}

/** Opens an incident; the Nth opening of one fault within the window steps its severity up. */
export function openIncident(
  state: ConnectorIncidentState,
  incident: Incident,
  at: string,
  escalate: { occurrences: number; withinDays: number },
): void {
  incident.status = 'open';
  incident.openedAt = at;
  const since = Date.parse(at) - escalate.withinDays * 86_400_000;
  const openings = (state.openings[incident.key] ?? []).filter((t) => Date.parse(t) > since);
  openings.push(at);
  state.openings[incident.key] = openings;
  incident.occurrence = openings.length;
  if (escalate.occurrences > 0 && openings.length >= escalate.occurrences) {
    incident.severity = stepUp(incident.severity);
    incident.escalated = true;
  }
}

function resolve(incident: Incident, at: string): void {
  incident.status = 'resolved';
  incident.resolvedAt = at;
}
