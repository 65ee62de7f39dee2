import { wrap } from '../alert-text.ts';
import { plainText } from '../vendor-text.ts';
import type { IncidentEvent, IncidentNotification } from './incident.ts';

/** How each event reads at the head of a message. */
export const EVENT_LABEL: Record<IncidentEvent, string> = {
  open: 'OPEN',
  reminder: 'STILL OPEN',
  escalate: 'ESCALATED',
  resolve: 'RESOLVED',
};

/** What a notice says beyond its title: the message, what it explains, its sessions and id. */
export function noticeDetail(notice: IncidentNotification): string {
  const context = notice.context.length
    ? ` Also in these sessions, explained by this fault: ${notice.context.map((f) => f.title).join('; ')}.`
    : '';
  return `${notice.message}${context} Sessions: ${notice.sessionIds.join(', ') || 'none'}. Incident ${notice.incident}.`;
}

/** A notice as plain text for a terminal or email: headline, wrapped detail, rule and where. */
export function noticeAsText(notice: IncidentNotification, width = 100): string {
  return [
    `[${EVENT_LABEL[notice.event]} · ${notice.severity.toUpperCase()}] ${plainText(notice.title, 300)}`,
    ...wrap(plainText(noticeDetail(notice), 4_000), width - 2).map((line) => `  ${line}`),
    `  rule ${notice.rule} · ${notice.subject} ${plainText(`${notice.chargerId}/${notice.connectorId}`, 200)} · at ${notice.at}`,
  ].join('\n');
}
