import type { Finding, Severity } from '../finding.ts';
import type { SessionFacts } from '../session-facts.ts';

/**
 * What a notification tells: an incident opened, is still there, got worse, or is fixed; or
 * (`attributed`) the fleet found whose fault connector incidents already told are, joined them
 * to this vehicle's or charger's incident and closed them.
 */
export type IncidentEvent = 'open' | 'reminder' | 'escalate' | 'attributed' | 'resolve';

/** Events that tell people of a fault (every event but `resolve`). */
export const TELLING_EVENTS: readonly IncidentEvent[] = [
  'open',
  'reminder',
  'escalate',
  'attributed',
];

/** A connector incident that a vehicle's or charger's incident explains and closed. */
export interface ExplainedIncident {
  incident: string;
  chargerId: string;
  connectorId: string;
  rule: string;
  /** The failed sessions it held. */
  sessionIds: string[];
  /** When the scan first fetched its earliest report (ISO). */
  firstSeenAt?: string;
}

/** What an incident is about: one connector (the default), a whole charger, a vehicle, the depot. */
export type IncidentSubject = 'connector' | 'charger' | 'vehicle' | 'depot';

/**
 * One fault on one subject across sessions. `pending` until it has enough findings to open,
 * `open` until enough clean sessions resolve it; `resolved` ones stay only until the resolve
 * notice has gone out.
 */
export interface Incident {
  /** Stable id: the same on every re-read, and the dedup key a PagerDuty or Opsgenie bridge uses. */
  id: string;
  /** Rule and what the rule names within the subject (an error code, say). */
  key: string;
  rule: string;
  subject: IncidentSubject;
  chargerId: string;
  connectorId: string;
  vehicleId?: string;
  status: 'pending' | 'open' | 'resolved';
  severity: Severity;
  /** Which occurrence of this fault within the escalation window this incident is (1 = first). */
  occurrence: number;
  escalated: boolean;
  /** Session end times (ISO): first and latest finding; when it opened and resolved. */
  firstFindingAt: string;
  lastFindingAt: string;
  openedAt?: string;
  resolvedAt?: string;
  /** Sessions with the fault, the latest few. */
  sessionIds: string[];
  /** Sessions with the fault since the last notice, the latest few, and their count. */
  failedSinceNotice: string[];
  failedSinceNoticeCount: number;
  /** The current run of consecutive clean sessions. */
  cleanSessions: string[];
  /** The latest finding: its title, message and evidence speak for the incident. */
  latest: Finding;
  /** Findings this one explains in its sessions (a Faulted connector's shortfalls). */
  context: Finding[];
  /** What people have been told so far; `joined`, how many of `explains` they heard of. */
  notified: { openAt?: string; severity?: Severity; lastAt?: string; joined?: number };
  /** When the scan first fetched the report of its first finding (ISO). */
  firstSeenAt?: string;
  /** When the scan first fetched the earliest session in `failedSinceNotice`. */
  seenSinceNotice?: string;
  /** When the scan first fetched the first of `cleanSessions`. */
  cleanSeenAt?: string;
  /** A critical finding joined it since the last notice: told in the same run, whatever `repeatHours` says. */
  criticalSinceNotice?: boolean;
  /** Connector incidents already told that this vehicle's or charger's incident explains. */
  explains?: ExplainedIncident[];
  /** Set on a connector incident the fleet attributed elsewhere: the incident that explains it. */
  explainedBy?: string;
}

/** One session as the incident engine sees it: when it ended and what it found. */
export interface JudgedSession {
  /** Session id and UTC day: unique even where a vendor reuses ids. */
  key: string;
  sessionId: string;
  /** When the session ended (its start when the end is unknown), ISO. */
  at: string;
  vehicleId?: string;
  findings: readonly Finding[];
  /** The session's figures, for drift and KPIs; absent where only findings are known. */
  facts?: SessionFacts;
  /** Rules that judged nothing for this record in this session: their faults were attributed elsewhere. */
  explained?: readonly string[];
  /** When the scan first fetched the session's report (ISO); absent in loose replays. */
  seenAt?: string;
}

/** A notice to send: an incident's event, with what a person needs to act on it. */
export interface IncidentNotification {
  /** Unique per notice: incident, event and run time. */
  id: string;
  event: IncidentEvent;
  incident: string;
  rule: string;
  subject: IncidentSubject;
  chargerId: string;
  connectorId: string;
  vehicleId?: string;
  /** The depot, in a config of several; set by the scan as it sends the notice. */
  depot?: string;
  severity: Severity;
  /** The run that sends it, ISO. */
  at: string;
  /** When the scan first fetched the earliest report this notice cites (ISO). */
  firstSeenAt?: string;
  /** The sessions this notice is about: failed ones, or for `resolve` the clean ones. */
  sessionIds: string[];
  /** How many sessions failed since the last notice (reminders), or in all (open). */
  failedSessions: number;
  /** Which occurrence within the escalation window, for `escalate`. */
  occurrence: number;
  /** The escalation window in days (`escalate.withinDays`) that `occurrence` counts within. */
  windowDays?: number;
  title: string;
  message: string;
  evidence: Finding['evidence'];
  context: Finding[];
  /** For `attributed`: the connector incidents this one explains, now closed. */
  explains?: ExplainedIncident[];
}

/** Severities in rising order. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** The next severity up (critical stays critical). */
export function stepUp(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)] as Severity;
}

/** Whether `a` is more severe than `b`. */
export function moreSevere(a: Severity, b: Severity | undefined): boolean {
  return b === undefined || SEVERITIES.indexOf(a) > SEVERITIES.indexOf(b);
}
