import type { IncidentNotification } from '../../core/incidents/incident.ts';
import { capped } from '../../core/vendor-text.ts';
import type { ChannelRequest } from '../http-delivery.ts';
import { jsonObject } from '../http-delivery.ts';
import type { NoticeLinks } from '../links.ts';
import { bodyOf, dedupKeyOf, factsOf, headlineOf, whereOf } from '../notice-facts.ts';

/** PagerDuty's severities for depot-watch's: the same words, `error` unused. */
const SEVERITY = { info: 'info', warning: 'warning', critical: 'critical' } as const;

/**
 * The Events API v2 requests for a notice. Open, reminder, escalate and attributed trigger on
 * the incident's dedup key (a second trigger updates the open alert: summary, severity,
 * details); resolve resolves it; an attribution also resolves each connector incident it
 * explains and closed. `routed` false sends only the resolves (see HttpChannelOptions).
 */
export function pagerDutyRequests(
  notice: IncidentNotification,
  endpoint: string,
  routingKey: string,
  links: NoticeLinks,
  routed: boolean,
): ChannelRequest[] {
  const resolve = (dedupKey: string): ChannelRequest =>
    request(endpoint, `resolve ${dedupKey}`, {
      routing_key: routingKey,
      event_action: 'resolve',
      dedup_key: dedupKey,
    });
  if (notice.event === 'resolve') return [resolve(dedupKeyOf(notice))];
  const closes = (notice.explains ?? []).map((explained) =>
    resolve(dedupKeyOf({ ...notice, incident: explained.incident })),
  );
  if (!routed) return closes;
  return [
    request(endpoint, `trigger ${dedupKeyOf(notice)}`, triggerEvent(notice, routingKey, links)),
    ...closes,
  ];
}

/** A trigger event: the summary a pager shows, where, how bad, and the evidence. */
export function triggerEvent(
  notice: IncidentNotification,
  routingKey: string,
  links: NoticeLinks,
): Record<string, unknown> {
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: capped(dedupKeyOf(notice), 255),
    client: 'depot-watch',
    payload: {
      summary: `${whereOf(notice)}: ${headlineOf(notice, 900)}`.slice(0, 1024),
      source: whereOf(notice),
      severity: SEVERITY[notice.severity],
      timestamp: notice.at,
      component: `${notice.chargerId}/${notice.connectorId}`,
      group: notice.depot ?? 'depot-watch',
      class: notice.rule,
      custom_details: {
        event: notice.event,
        message: bodyOf(notice, 4_000),
        ...Object.fromEntries(factsOf(notice)),
        failed_sessions: notice.failedSessions,
        ...(notice.firstSeenAt ? { first_seen_at: notice.firstSeenAt } : {}),
        reports: links.reportsLocation,
        show_incident: links.command,
      },
    },
    links: [links.reports],
  };
}

function request(endpoint: string, what: string, event: Record<string, unknown>): ChannelRequest {
  return {
    what,
    url: endpoint,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
    // 202 {"status": "success", "message": "Event processed", "dedup_key": "…"}
    malformed: ({ text }) => {
      const answer = jsonObject(text);
      if (!answer) return 'not a JSON object';
      return answer.status === 'success' ? undefined : `status ${JSON.stringify(answer.status)}`;
    },
  };
}
