import { type ConnectorIncidentState, copyOf } from './connector-incidents.ts';
import type { Incident, IncidentEvent, IncidentNotification } from './incident.ts';
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
    const event = dueEvent(incident, now, settings, silenced);
    if (!event || silenced(incident, now)) continue;
    notices.push(notice(incident, event, now, settings.escalate.withinDays));
  }
  return notices;
}

function dueEvent(
  incident: Incident,
  now: string,
  settings: IncidentSettings,
  silenced: SilencedAt,
): IncidentEvent | undefined {
  const { notified } = incident;
  if (incident.status === 'resolved') {
    if (notified.openAt) return 'resolve';
    if (!stillToTell(incident, silenced)) return undefined;
    return incident.escalated ? 'escalate' : 'open';
  }
  if (incident.status !== 'open') return undefined;
  if (!notified.openAt) return incident.escalated ? 'escalate' : 'open';
  if (moreSevere(incident.severity, notified.severity)) return 'escalate';
  const { repeatHours } = policyFor(settings, incident.rule, incident.severity);
  const since = runTimeMs(now) - Date.parse(notified.lastAt ?? notified.openAt);
  if (repeatHours > 0 && incident.failedSinceNoticeCount > 0 && since >= repeatHours * 3_600_000)
    return 'reminder';
  return undefined;
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
    resolve:
      `Resolved: ${incident.cleanSessions.length} consecutive session(s) without this fault ` +
      `(${incident.cleanSessions.join(', ')}), the last ending ${incident.resolvedAt}.`,
  };
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
  };
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
    incident.notified.openAt ??= notice.at;
    incident.failedSinceNotice = [];
    incident.failedSinceNoticeCount = 0;
  }
  const told = new Set(delivered.filter((n) => n.event === 'resolve').map((n) => n.incident));
  state.incidents = state.incidents.filter(
    (i) =>
      i.status !== 'resolved' ||
      (!told.has(i.id) && (i.notified.openAt !== undefined || stillToTell(i, silenced))),
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
