import type { IncidentNotification } from '../../core/incidents/incident.ts';
import { capped } from '../../core/vendor-text.ts';
import type { ChannelRequest } from '../http-delivery.ts';
import { jsonObject } from '../http-delivery.ts';
import type { NoticeLinks } from '../links.ts';
import { bodyOf, factsOf, headlineOf, whereOf } from '../notice-facts.ts';

/** Opsgenie priorities for depot-watch's severities: P1 pages, P5 is for the record. */
const PRIORITY = { critical: 'P1', warning: 'P3', info: 'P5' } as const;

/**
 * The Alert API requests for a notice. Open, reminder, escalate and attributed create an alert
 * whose alias is the incident (Opsgenie folds a create on an open alias into that alert);
 * resolve closes it by alias, and an attribution closes the connector incidents it explains.
 * The same requests serve Jira Service Management's integration API, at its base URL.
 */
export function opsgenieRequests(
  notice: IncidentNotification,
  baseUrl: string,
  apiKey: string,
  links: NoticeLinks,
  routed: boolean,
): ChannelRequest[] {
  const base = baseUrl.replace(/\/+$/, '');
  const headers = { 'Content-Type': 'application/json', Authorization: `GenieKey ${apiKey}` };
  const close = (alias: string): ChannelRequest => ({
    what: `close ${alias}`,
    url: `${base}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`,
    headers,
    body: JSON.stringify({ source: 'depot-watch', note: `Resolved: ${headlineOf(notice, 900)}` }),
    malformed,
  });
  if (notice.event === 'resolve') return [close(aliasOf(notice))];
  const closes = (notice.explains ?? []).map((e) =>
    close(aliasOf({ ...notice, incident: e.incident })),
  );
  if (!routed) return closes;
  const create: ChannelRequest = {
    what: `create ${aliasOf(notice)}`,
    url: `${base}/v2/alerts`,
    headers,
    body: JSON.stringify(alertOf(notice, links)),
    malformed,
  };
  return [create, ...closes];
}

/**
 * The incident's alias: its id, led by its depot and a colon in a config of several (a slash,
 * as the other channels' keys have it, would be an encoded slash in the close request's path,
 * which proxies and gateways are apt to refuse).
 */
export function aliasOf(notice: IncidentNotification): string {
  return notice.depot === undefined ? notice.incident : `${notice.depot}:${notice.incident}`;
}

/** The alert body, within Opsgenie's limits (message 130, alias 512, description 15,000). */
export function alertOf(notice: IncidentNotification, links: NoticeLinks): Record<string, unknown> {
  return {
    message: capped(`${whereOf(notice)}: ${headlineOf(notice)}`, 130),
    alias: capped(aliasOf(notice), 512),
    description: capped(
      [
        bodyOf(notice, 12_000),
        `Session reports: ${links.reports.href}`,
        `Show the incident: ${links.command}`,
      ].join('\n\n'),
      15_000,
    ),
    priority: PRIORITY[notice.severity],
    entity: whereOf(notice),
    source: 'depot-watch',
    tags: [notice.rule, notice.severity, notice.event, ...(notice.depot ? [notice.depot] : [])].map(
      (tag) => capped(tag, 50),
    ),
    details: Object.fromEntries(factsOf(notice).map(([key, value]) => [capped(key, 50), value])),
  };
}

/** 202 {"result": "Request will be processed", "took": 0.1, "requestId": "…"} */
function malformed({ text }: { text: string }): string | undefined {
  const answer = jsonObject(text);
  if (!answer) return 'not a JSON object';
  return typeof answer.requestId === 'string' ? undefined : 'no requestId';
}
