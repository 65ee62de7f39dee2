import { type ConnectorIncidentState, copyOf } from './connector-incidents.ts';
import type {
  ExplainedIncident,
  Incident,
  IncidentEvent,
  IncidentNotification,
} from './incident.ts';
import { moreSevere } from './incident.ts';
import { runTimeMs } from './run-time.ts';
import { type IncidentSettings, policyFor } from './settings.ts';

/** Whether notices about an incident must wait at a moment (a silence, a maintenance window). */
export type SilencedAt = (incident: Incident, at: string) => boolean;

/**
 * The notices a connector's incidents call for at `now`, derived from what people were told
 * so far. A notice that is not delivered leaves that record as it was, so the next run derives
 * it again: nothing is lost, and an undelivered open is never followed by a reminder.
 */
export function dueNotifications(
  state: ConnectorIncidentState,
  now: string,
  settings: IncidentSettings,
  silenced: SilencedAt = () => false,
): IncidentNotification[] {
  const notices: IncidentNotification[] = [];
  for (const incident of state.incidents) {
    if (incident.explainedBy !== undefined || silenced(incident, now)) continue;
    for (const event of dueEvents(incident, now, settings, silenced))
      notices.push(notice(incident, event, now, settings.escalate.withinDays));
  }
  return notices;
}

/**
 * What an incident calls for now, in the order to send it. An incident that opened and was
 * fixed within what one run read is told both, open then resolve, by that run: the run knows.
 */
function dueEvents(
  incident: Incident,
  now: string,
  settings: IncidentSettings,
  silenced: SilencedAt,
): IncidentEvent[] {
  const { notified } = incident;
  if (incident.status === 'resolved') {
    if (notified.openAt) return ['resolve'];
    if (!stillToTell(incident, silenced)) return [];
    return [incident.escalated ? 'escalate' : 'open', 'resolve'];
  }
  if (incident.status !== 'open') return [];
  // Joining connector incidents already told: one notice says whose fault it is, for both.
  const joins = (incident.explains?.length ?? 0) > (notified.joined ?? 0);
  if (!notified.openAt) return [joins ? 'attributed' : incident.escalated ? 'escalate' : 'open'];
  if (moreSevere(incident.severity, notified.severity)) return ['escalate'];
  if (joins) return ['attributed'];
  // A critical finding is told by the run that fetched it, whatever the reminder interval.
  if (incident.criticalSinceNotice && incident.failedSinceNoticeCount > 0) return ['reminder'];
  const { repeatHours } = policyFor(settings, incident.rule, incident.severity);
  const since = runTimeMs(now) - Date.parse(notified.lastAt ?? notified.openAt);
  if (repeatHours > 0 && incident.failedSinceNoticeCount > 0 && since >= repeatHours * 3_600_000)
    return ['reminder'];
  return [];
}

function notice(
  incident: Incident,
  event: IncidentEvent,
  at: string,
  withinDays: number,
): IncidentNotification {
  const { latest } = incident;
  const ordinal = ordinalOf(incident.occurrence);
  const lines: Record<IncidentEvent, string> = {
    open: `Opened: ${latest.message}`,
    reminder:
      `Still open since ${incident.openedAt}: ${incident.failedSinceNoticeCount} more session(s) ` +
      `with this fault since the last message (${incident.failedSinceNotice.join(', ')}). ${latest.message}`,
    escalate:
      `Escalated to ${incident.severity}: the ${ordinal} occurrence of this fault within ${withinDays} days. ` +
      latest.message,
    attributed: `${attributedLine(incident)} ${latest.message}`,
    resolve:
      `Resolved: ${incident.cleanSessions.length} consecutive session(s) without this fault ` +
      `(${incident.cleanSessions.join(', ')}), the last ending ${incident.resolvedAt}.`,
  };
  const firstSeenAt =
    event === 'resolve'
      ? incident.cleanSeenAt
      : event === 'reminder'
        ? (incident.seenSinceNotice ?? incident.firstSeenAt)
        : event === 'attributed'
          ? earliest([incident.seenSinceNotice, ...newlyJoined(incident).map((e) => e.firstSeenAt)])
          : incident.firstSeenAt;
  return {
    id: `${incident.id}:${event}:${at}`,
    event,
    incident: incident.id,
    rule: incident.rule,
    subject: incident.subject,
    chargerId: incident.chargerId,
    connectorId: incident.connectorId,
    ...(incident.vehicleId !== undefined ? { vehicleId: incident.vehicleId } : {}),
    severity: incident.severity,
    at,
    ...(firstSeenAt !== undefined ? { firstSeenAt } : {}),
    sessionIds:
      event === 'resolve'
        ? [...incident.cleanSessions]
        : event === 'reminder'
          ? [...incident.failedSinceNotice]
          : [...incident.sessionIds],
    failedSessions:
      event === 'reminder' ? incident.failedSinceNoticeCount : incident.sessionIds.length,
    occurrence: incident.occurrence,
    windowDays: withinDays,
    title: latest.title,
    message: lines[event],
    evidence: latest.evidence,
    context: incident.context,
    ...(event === 'attributed' ? { explains: newlyJoined(incident) } : {}),
  };
}

/** The connector incidents joined since people last heard of this one. */
function newlyJoined(incident: Incident): ExplainedIncident[] {
  return (incident.explains ?? []).slice(incident.notified.joined ?? 0);
}

/** What an `attributed` notice says to both audiences: whose fault, and what it closes. */
function attributedLine(incident: Incident): string {
  const joined = newlyJoined(incident);
  const where = [...new Set(joined.map((e) => `${e.chargerId}/${e.connectorId}`))].join(', ');
  const whose =
    incident.subject === 'vehicle'
      ? `Attributed to vehicle ${incident.vehicleId ?? incident.connectorId}, not the charger${joined.length === 1 ? '' : 's'}`
      : `Attributed to charger ${incident.chargerId} as a whole`;
  return `${whose}: the incident(s) told on ${where || 'its connectors'} (${joined.map((e) => e.incident).join(', ')}) join this one and are closed.`;
}

/** The earliest of some ISO times, or undefined when none is known. */
function earliest(times: readonly (string | undefined)[]): string | undefined {
  let first: string | undefined;
  for (const t of times) if (t !== undefined && (first === undefined || t < first)) first = t;
  return first;
}

/**
 * Records the notices a channel accepted: what was told, and when. A resolved incident leaves
 * the state once its resolve is out (or at once if nobody was ever told it opened).
 */
export function markDelivered(
  previous: ConnectorIncidentState,
  delivered: readonly IncidentNotification[],
  silenced: SilencedAt = () => false,
): ConnectorIncidentState {
  const settled = previous.incidents.some((i) => i.status === 'resolved');
  if (delivered.length === 0 && !settled) return previous;
  const state = copyOf(previous);
  for (const notice of delivered) {
    const incident = state.incidents.find((i) => i.id === notice.incident);
    if (!incident) continue;
    incident.notified.lastAt = notice.at;
    incident.notified.severity = notice.severity;
    // A resolve whose open was not delivered does not count as the open: the next run tells both.
    if (notice.event !== 'resolve') incident.notified.openAt ??= notice.at;
    if (notice.event === 'attributed') incident.notified.joined = incident.explains?.length ?? 0;
    incident.failedSinceNotice = [];
    incident.failedSinceNoticeCount = 0;
    delete incident.criticalSinceNotice;
    delete incident.seenSinceNotice;
  }
  const told = new Set(
    delivered
      .filter((n) => n.event === 'resolve')
      .filter((n) => state.incidents.some((i) => i.id === n.incident && i.notified.openAt))
      .map((n) => n.incident),
  );
  // An incident the fleet attributed elsewhere was closed by that notice: nothing left to tell.
  state.incidents = state.incidents.filter(
    (i) =>
      i.status !== 'resolved' ||
      (i.explainedBy === undefined &&
        !told.has(i.id) &&
        (i.notified.openAt !== undefined || stillToTell(i, silenced))),
  );
  return state;
}

/**
 * Whether an incident that opened and was fixed before anyone heard of it (between two runs,
 * or within a first run reading a day back) must still be told: yes, unless it opened under a
 * silence. People then hear that it happened, and on the next run that it is fixed.
 */
function stillToTell(incident: Incident, silenced: SilencedAt): boolean {
  return incident.openedAt !== undefined && !silenced(incident, incident.openedAt);
}

function ordinalOf(n: number): string {
  const suffix =
    n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
