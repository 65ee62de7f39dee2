import type { IncidentNotification } from '../../core/incidents/incident.ts';
import type { NoticeLinks } from '../links.ts';
import { dedupKeyOf, whereOf } from '../notice-facts.ts';

/** The version of the webhook body; a change that removes or renames a field raises it. */
export const WEBHOOK_VERSION = '1';

/**
 * The generic webhook's JSON body (docs/notifiers.md documents it): Alertmanager's webhook in
 * spirit, one notice a request. `status` is the incident's state after this notice, `firing`
 * or `resolved`; `dedupKey` is the idempotency key a receiver keys its own record on, and
 * `notice.id` tells a repeated delivery of one notice from a new one. Vendor text goes as it
 * is, as JSON: the receiver escapes it for wherever it shows it.
 */
export function webhookBody(
  notice: IncidentNotification,
  links: NoticeLinks,
): Record<string, unknown> {
  return {
    version: WEBHOOK_VERSION,
    source: 'depot-watch',
    status: notice.event === 'resolve' ? 'resolved' : 'firing',
    event: notice.event,
    dedupKey: dedupKeyOf(notice),
    where: whereOf(notice),
    notice,
    // Incidents an attribution closed: a receiver resolves their records too.
    resolves: (notice.explains ?? []).map((e) => dedupKeyOf({ ...notice, incident: e.incident })),
    links: {
      reports: links.reports.href,
      reportsLocation: links.reportsLocation,
      command: links.command,
    },
  };
}
