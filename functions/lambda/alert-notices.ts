import type { IncidentNotification } from '../core/incidents/incident.ts';

/** The JSON body (`default`) of an alert message, as functions/core/alert-messages.ts writes it. */
interface AlertBody {
  chargerId: string;
  depot?: string;
  severity: IncidentNotification['severity'];
  notices: IncidentNotification[];
  notListed?: (Pick<IncidentNotification, 'id' | 'event' | 'rule' | 'connectorId'> &
    Partial<Pick<IncidentNotification, 'incident' | 'subject' | 'vehicleId' | 'at' | 'title'>>)[];
}

/**
 * The notices one alert message carries: those it lists in full, and those it only counts
 * (a charger with more than ten at once), rebuilt from what the message keeps of them: enough
 * to trigger or resolve an alert, with the title for its words. A message that is no alert
 * (a test publish, a stray subscriber's) carries none.
 */
export function noticesInAlert(message: string): IncidentNotification[] {
  let body: AlertBody;
  try {
    body = JSON.parse(message) as AlertBody;
  } catch {
    return [];
  }
  if (!Array.isArray(body?.notices)) return [];
  const counted = (body.notListed ?? []).map(
    (n): IncidentNotification => ({
      id: n.id,
      event: n.event,
      incident: n.incident ?? n.id,
      rule: n.rule,
      subject: n.subject ?? 'connector',
      chargerId: body.chargerId,
      connectorId: n.connectorId,
      ...(n.vehicleId !== undefined ? { vehicleId: n.vehicleId } : {}),
      ...(body.depot !== undefined ? { depot: body.depot } : {}),
      severity: body.severity,
      at: n.at ?? new Date(0).toISOString(),
      sessionIds: [],
      failedSessions: 0,
      occurrence: 1,
      title: n.title ?? n.rule,
      message: n.title ?? n.rule,
      evidence: {},
      context: [],
    }),
  );
  return [...body.notices, ...counted];
}
