import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { AlertSink, PublishOutcome } from './ports.ts';

/**
 * Publishes notices so that an incident opened and resolved in one run is told in that order:
 * its resolve goes in a second publish, and only once its open was accepted. A receiver keyed
 * on the incident (a pager) then never sees a resolve for an incident it never saw open, and a
 * refused open is sent again with its resolve next run, the resolve never twice.
 */
export async function publishInOrder(
  alerts: AlertSink,
  notices: readonly IncidentNotification[],
): Promise<PublishOutcome> {
  const opening = new Set(notices.filter((n) => n.event !== 'resolve').map((n) => n.incident));
  const first = notices.filter((n) => n.event !== 'resolve' || !opening.has(n.incident));
  const later = notices.filter((n) => n.event === 'resolve' && opening.has(n.incident));
  const outcome =
    first.length > 0
      ? await alerts.publish(first)
      : { accepted: [], failed: [] as PublishOutcome['failed'] };
  if (later.length === 0) return outcome;
  const accepted = new Set(outcome.accepted);
  const opened = new Set(
    first.filter((n) => n.event !== 'resolve' && accepted.has(n.id)).map((n) => n.incident),
  );
  const ready = later.filter((n) => opened.has(n.incident));
  const waiting = later
    .filter((n) => !opened.has(n.incident))
    .map((n) => ({ id: n.id, error: 'held back: its open was not published' }));
  const second = ready.length > 0 ? await alerts.publish(ready) : { accepted: [], failed: [] };
  return {
    accepted: [...outcome.accepted, ...second.accepted],
    failed: [...outcome.failed, ...second.failed, ...waiting],
  };
}
