import { wrap } from '../alert-text.ts';
import type { Finding } from '../finding.ts';
import type { IncidentEvent, IncidentNotification } from './incident.ts';

/** How each event reads at the head of a message. */
export const EVENT_LABEL: Record<IncidentEvent, string> = {
  open: 'OPEN',
  reminder: 'STILL OPEN',
  escalate: 'ESCALATED',
  resolve: 'RESOLVED',
};

/**
 * A notice in the shape the message renderers group and lay out (one charger and severity
 * per message): the event leads the title, the notice id stands in for the fingerprint.
 */
export function noticeAsFinding(notice: IncidentNotification): Finding {
  const context = notice.context.length
    ? ` Also in these sessions, explained by this fault: ${notice.context.map((f) => f.title).join('; ')}.`
    : '';
  return {
    rule: notice.rule,
    severity: notice.severity,
    chargerId: notice.chargerId,
    connectorId: notice.connectorId,
    sessionId: notice.sessionIds.at(-1) ?? '',
    ...(notice.vehicleId !== undefined ? { vehicleId: notice.vehicleId } : {}),
    title: `${EVENT_LABEL[notice.event]}: ${notice.title}`,
    message: `${notice.message}${context} Sessions: ${notice.sessionIds.join(', ') || 'none'}. Incident ${notice.incident}.`,
    evidence: notice.evidence,
    fingerprint: notice.id,
  };
}

/** A notice as plain text for a terminal: headline, wrapped message, incident and rule. */
export function noticeAsText(notice: IncidentNotification, width = 100): string {
  const finding = noticeAsFinding(notice);
  return [
    `[${EVENT_LABEL[notice.event]} · ${notice.severity.toUpperCase()}] ${notice.title}`,
    ...wrap(finding.message, width - 2).map((line) => `  ${line}`),
    `  rule ${notice.rule} · ${notice.subject} ${notice.chargerId}/${notice.connectorId} · at ${notice.at}`,
  ].join('\n');
}
