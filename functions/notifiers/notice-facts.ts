import type { IncidentNotification } from '../core/incidents/incident.ts';
import { EVENT_LABEL } from '../core/incidents/notice-text.ts';
import { plainText } from '../core/vendor-text.ts';

/**
 * What every channel says of a notice, as plain text with vendor controls cleared; each channel
 * escapes it again for its own markup. Kept in one place so that PagerDuty, Opsgenie, Teams,
 * Slack and the webhook name things alike.
 */

/** The key that identifies the incident to a pager: the incident id, led by its depot in a config of several. */
export function dedupKeyOf(notice: IncidentNotification): string {
  return notice.depot === undefined ? notice.incident : `${notice.depot}/${notice.incident}`;
}

/** Whose fault: `HPC-007/2`, `HPC-007`, `BUS-117` or `depot`, led by the depot where there are several. */
export function whereOf(notice: IncidentNotification): string {
  const within = {
    connector: `${notice.chargerId}/${notice.connectorId}`,
    charger: notice.chargerId,
    vehicle: notice.vehicleId ?? `vehicle on ${notice.chargerId}`,
    depot: 'depot',
  }[notice.subject];
  const label = notice.depot === undefined ? within : `${notice.depot} ${within}`;
  return plainText(label, 200);
}

/** `OPEN: Breaker opened under load`: the event and the title, one line. */
export function headlineOf(notice: IncidentNotification, max = 300): string {
  return plainText(`${EVENT_LABEL[notice.event]}: ${notice.title}`, max);
}

/** Title and value pairs for a card, a field list or a pager's details; vendor text cleared. */
export function factsOf(notice: IncidentNotification): [string, string][] {
  const sessions = notice.sessionIds.slice(0, 10).join(', ');
  const more = notice.sessionIds.length > 10 ? ` and ${notice.sessionIds.length - 10} more` : '';
  const facts: [string, string][] = [
    ['Severity', notice.severity],
    ['Where', whereOf(notice)],
    ['Rule', notice.rule],
    ['Incident', notice.incident],
    [notice.event === 'resolve' ? 'Clean sessions' : 'Sessions', `${sessions || 'none'}${more}`],
  ];
  if (notice.event === 'escalate' && notice.occurrence > 1)
    facts.push([
      'Occurrence',
      `${notice.occurrence}${notice.windowDays ? ` within ${notice.windowDays} days` : ''}`,
    ]);
  for (const [key, value] of Object.entries(notice.evidence).slice(0, 12))
    facts.push([key, String(value)]);
  return facts.map(([title, value]) => [plainText(title, 80), plainText(value, 500)]);
}

/** The message and what it explains, without the title, which every channel shows on its own. */
export function bodyOf(notice: IncidentNotification, max: number): string {
  const context = notice.context.length
    ? ` Also in these sessions, explained by this fault: ${notice.context.map((f) => f.title).join('; ')}.`
    : '';
  const explains = notice.explains?.length
    ? ` Closes ${notice.explains.map((e) => `${e.chargerId}/${e.connectorId} (${e.incident})`).join(', ')}.`
    : '';
  return plainText(`${notice.message}${context}${explains}`, max);
}
