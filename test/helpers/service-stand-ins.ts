import { verifySignature } from '../../functions/notifiers/webhook/signature.ts';
import { type Answer, json, type Received, StandIn } from './stand-in.ts';

/**
 * Stand-ins that check a request the way each service documents it (shared/reference/
 * receivers.md) and keep what a person would see there: whether each alert is open.
 */

/** PagerDuty's Events API v2: 202 for a valid event, 400 naming what is wrong; alerts by dedup key. */
export function pagerDutyStandIn(routingKey: string) {
  const alerts = new Map<string, 'triggered' | 'resolved'>();
  const standIn = new StandIn((request) => {
    const event = parsed(request);
    const errors = pagerDutyErrors(event, routingKey);
    if (errors.length > 0)
      return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const key = String(event?.dedup_key);
    alerts.set(key, event?.event_action === 'resolve' ? 'resolved' : 'triggered');
    return json(202, { status: 'success', message: 'Event processed', dedup_key: key });
  });
  return { standIn, alerts };
}

function pagerDutyErrors(event: Record<string, unknown> | undefined, routingKey: string): string[] {
  if (!event) return ['body is not a JSON object'];
  const errors: string[] = [];
  if (event.routing_key !== routingKey) errors.push('routing_key is not an integration key');
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(event.event_action)))
    errors.push('event_action is invalid');
  if (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255)
    errors.push('dedup_key is missing or longer than 255');
  if (event.event_action !== 'trigger') return errors;
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  if (typeof payload.summary !== 'string' || !payload.summary || payload.summary.length > 1024)
    errors.push('payload.summary is missing or longer than 1024');
  if (typeof payload.source !== 'string' || !payload.source)
    errors.push('payload.source is missing');
  if (!['critical', 'error', 'warning', 'info'].includes(String(payload.severity)))
    errors.push('payload.severity is invalid');
  if (payload.timestamp !== undefined && Number.isNaN(Date.parse(String(payload.timestamp))))
    errors.push('payload.timestamp is not ISO 8601');
  for (const link of (event.links ?? []) as { href?: unknown }[])
    if (typeof link.href !== 'string' || !link.href.startsWith('https://'))
      errors.push('links[].href is not a URL');
  return errors;
}

/** Opsgenie's Alert API: GenieKey auth, create and close by alias, 202 with a requestId. */
export function opsgenieStandIn(apiKey: string) {
  const alerts = new Map<string, 'open' | 'closed'>();
  const accepted = (): Answer =>
    json(202, { result: 'Request will be processed', took: 0.01, requestId: 'r-1' });
  const standIn = new StandIn((request) => {
    if (request.headers.authorization !== `GenieKey ${apiKey}`)
      return json(401, { message: 'Could not authenticate' });
    const body = parsed(request);
    const close = /^\/v2\/alerts\/([^/?]+)\/close\?identifierType=alias$/.exec(request.path);
    if (close?.[1]) {
      alerts.set(decodeURIComponent(close[1]), 'closed');
      return accepted();
    }
    if (request.path !== '/v2/alerts') return json(404, { message: 'No such path' });
    if (typeof body?.message !== 'string' || !body.message || body.message.length > 130)
      return json(422, { message: 'message is missing or longer than 130' });
    if (typeof body.alias !== 'string' || body.alias.length > 512)
      return json(422, { message: 'alias is longer than 512' });
    if (!/^P[1-5]$/.test(String(body.priority)))
      return json(422, { message: 'priority is invalid' });
    alerts.set(body.alias, 'open');
    return accepted();
  });
  return { standIn, alerts };
}

/** A Teams Workflows webhook: an Adaptive Card as the one attachment, else 400; 202 and no body. */
export function teamsStandIn() {
  return new StandIn((request) => {
    const problem = cardProblem(parsed(request));
    return problem ? { status: 400, body: problem } : { status: 202 };
  });
}

function cardProblem(message: Record<string, unknown> | undefined): string | undefined {
  if (message?.type !== 'message') return 'type must be "message"';
  const attachments = message.attachments as Record<string, unknown>[] | undefined;
  if (!Array.isArray(attachments) || attachments.length !== 1) return 'one attachment expected';
  const [attachment] = attachments;
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
    return 'not an Adaptive Card';
  const card = attachment.content as Record<string, unknown> | undefined;
  if (card?.type !== 'AdaptiveCard' || typeof card.version !== 'string')
    return 'card type or version missing';
  const body = card.body as Record<string, unknown>[];
  if (!Array.isArray(body) || body.length === 0) return 'card body is empty';
  for (const element of body) {
    if (element.type === 'TextBlock' && typeof element.text !== 'string')
      return 'TextBlock without text';
    if (element.type === 'FactSet') {
      const facts = element.facts as { title?: unknown; value?: unknown }[];
      if (!facts.every((f) => typeof f.title === 'string' && typeof f.value === 'string'))
        return 'a fact is not a title and a value';
    }
  }
  for (const action of (card.actions ?? []) as Record<string, unknown>[])
    if (action.type !== 'Action.OpenUrl' || !String(action.url).startsWith('https://'))
      return 'an action is not an https Action.OpenUrl';
  return undefined;
}

/** A Slack incoming webhook: 200 "ok", or 400 with Slack's word for what is wrong. */
export function slackStandIn() {
  return new StandIn((request) => {
    const message = parsed(request);
    if (typeof message?.text !== 'string' || !message.text) return { status: 400, body: 'no_text' };
    const blocks = message.blocks as Record<string, unknown>[];
    if (!Array.isArray(blocks) || blocks.length > 50)
      return { status: 400, body: 'invalid_blocks' };
    for (const block of blocks) {
      const text = (block.text as { text?: string } | undefined)?.text ?? '';
      if (block.type === 'header' && text.length > 150)
        return { status: 400, body: 'invalid_blocks' };
      if (text.length > 3000) return { status: 400, body: 'invalid_blocks' };
      if (Array.isArray(block.fields) && block.fields.length > 10)
        return { status: 400, body: 'invalid_blocks' };
    }
    return { status: 200, body: 'ok' };
  });
}

/** A receiver of the generic webhook that verifies the signature as docs/notifiers.md shows: 401 if it does not hold. */
export function webhookStandIn(signingKey: string) {
  return new StandIn((request) => {
    const headers = {
      signature: request.headers['x-depot-watch-signature'] as string | undefined,
      timestamp: request.headers['x-depot-watch-timestamp'] as string | undefined,
    };
    return verifySignature(signingKey, headers, request.body)
      ? { status: 204 }
      : { status: 401, body: 'bad signature' };
  });
}

function parsed(request: Received): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(request.body);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
