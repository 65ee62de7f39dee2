import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { Secret } from '../core/secret.ts';
import type { AlertSink, PublishOutcome } from '../scan/ports.ts';
import { type ChannelRequest, deliver, type HttpAnswer } from './http-delivery.ts';
import { type NoticeLinks, noticeLinks } from './links.ts';
import type { NotifierContext } from './notifier.ts';
import { describeRoute, type Route, routes } from './route.ts';
import { describeSecret, resolveSecret, type SecretValue } from './secret-value.ts';

/** How long resolved secrets are reused, so a rotated key or URL is picked up. */
const SECRETS_TTL_MS = 5 * 60_000;

/** The config fields every HTTP channel has (see channelFields). */
export interface ChannelEntry {
  type: string;
  name?: string | undefined;
  route?: Route;
}

/** What makes one HTTP channel: its entry, secrets and the requests a notice becomes. */
export interface HttpChannelOptions<S extends string> {
  /**
   * Keyed on the incident (PagerDuty, Opsgenie): a resolve passes whatever the route says, and
   * so does an attribution's closing of the incidents it explains, so that no alert stays open
   * because its close fell outside the route. Closing an alert never opened is harmless there.
   */
  stateful: boolean;
  /** The secrets the requests need, by name; undefined ones are left out. */
  secrets: Record<S, SecretValue | undefined>;
  /**
   * The requests for a notice, in order; `routed` is false for a notice that only passes
   * because the channel is stateful (its own alert then must not be raised).
   */
  requests(
    notice: IncidentNotification,
    secrets: Partial<Record<S, Secret>>,
    links: NoticeLinks,
    routed: boolean,
  ): ChannelRequest[];
}

/**
 * An HTTP channel as an alert sink. Notices go one at a time, in the order given, so an
 * incident's open always reaches the service before its resolve; a notice whose incident
 * already failed here fails too (held back), and once the channel itself is out of reach the
 * rest fail at once, untried. Nothing throws: every notice comes back accepted or failed.
 */
export class HttpChannel<S extends string> implements AlertSink {
  #secrets: { value: Promise<Partial<Record<S, Secret>>>; at: number } | undefined;

  constructor(
    private readonly entry: ChannelEntry,
    private readonly options: HttpChannelOptions<S>,
    private readonly context: NotifierContext,
  ) {}

  async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { accepted: [], failed: [] };
    const { route } = this.entry;
    const { stateful } = this.options;
    const label = channelLabel(this.entry);
    const failedIncidents = new Set<string>();
    let down: string | undefined;
    for (const notice of notices) {
      const routed = routes(route, notice);
      if (!routed && !(stateful && closesSomething(notice))) {
        outcome.accepted.push(notice.id);
        continue;
      }
      const fail = (error: string) => {
        outcome.failed.push({ id: notice.id, error: `${label}: ${error}` });
        failedIncidents.add(notice.incident);
      };
      if (down !== undefined) {
        fail(`not sent, the channel is out of reach (${down})`);
        continue;
      }
      if (failedIncidents.has(notice.incident)) {
        fail('held back: an earlier notice of this incident failed here');
        continue;
      }
      let secrets: Partial<Record<S, Secret>>;
      try {
        secrets = await this.#resolvedSecrets();
      } catch (error) {
        down = (error as Error).message;
        fail(down);
        continue;
      }
      const links = noticeLinks(notice, this.context);
      const error = await this.#send(this.options.requests(notice, secrets, links, routed));
      if (error === undefined) outcome.accepted.push(notice.id);
      else {
        // A service's answer may echo what it was sent: no secret leaves in an error.
        const said = scrubbed(error.error, secrets);
        fail(said);
        if (error.channelDown) down = said;
      }
    }
    return outcome;
  }

  /** Sends a notice's requests in order; the first failure stops the rest. */
  async #send(requests: ChannelRequest[]) {
    for (const request of requests) {
      const result = await deliver(request, {
        ...(this.context.delivery ? { policy: this.context.delivery } : {}),
        ...(this.context.fetch ? { fetch: this.context.fetch } : {}),
        ...(this.context.sleep ? { sleep: this.context.sleep } : {}),
      });
      if (!result.ok) return result;
    }
    return undefined;
  }

  /** The channel's secrets, read once and reused for five minutes; a failed read is not kept. */
  #resolvedSecrets(): Promise<Partial<Record<S, Secret>>> {
    const now = Date.now();
    if (!this.#secrets || now - this.#secrets.at > SECRETS_TTL_MS) {
      const entries = Object.entries(this.options.secrets) as [S, SecretValue | undefined][];
      const value = Promise.all(
        entries.flatMap(([name, value]) =>
          value === undefined
            ? []
            : [resolveSecret(value, this.context.secrets).then((s) => [name, s] as const)],
        ),
      ).then((pairs) => Object.fromEntries(pairs) as Partial<Record<S, Secret>>);
      this.#secrets = { value, at: now };
      value.catch(() => {
        this.#secrets = undefined;
      });
    }
    return this.#secrets.value;
  }
}

/** Text with every secret's value (and, for a URL, its path) replaced by `[redacted]`. */
function scrubbed(text: string, secrets: Partial<Record<string, Secret>>): string {
  let result = text;
  for (const secret of Object.values(secrets)) {
    const value = secret?.reveal() ?? '';
    const path = URL.canParse(value) ? new URL(value).pathname : '';
    for (const part of [value, path.length > 8 ? path : ''])
      if (part.length >= 4) result = result.replaceAll(part, '[redacted]');
  }
  return result;
}

/** Whether a notice closes an alert: a resolve, or an attribution that closes what it explains. */
function closesSomething(notice: IncidentNotification): boolean {
  return notice.event === 'resolve' || (notice.explains?.length ?? 0) > 0;
}

/** How a channel names itself in errors and `config check`: its type and, if given, its name. */
export function channelLabel(entry: Pick<ChannelEntry, 'type' | 'name'>): string {
  return entry.name ? `${entry.type} "${entry.name}"` : entry.type;
}

/** A channel for `config check`: its name, where it sends, its secrets' sources and its route. */
export function describeChannel(
  entry: ChannelEntry,
  where: string,
  secrets: Record<string, SecretValue | undefined>,
): string {
  const sources = Object.entries(secrets).flatMap(([name, value]) =>
    value === undefined ? [] : [`${name} ${describeSecret(value)}`],
  );
  return [`${channelLabel(entry)} ${where}`, ...sources, describeRoute(entry.route)].join('; ');
}

/**
 * A channel that posts one JSON document per notice to a URL that is itself the secret (a
 * Teams or Slack webhook): `render` makes the document, `malformed` judges a 2xx answer.
 */
export function postPerNotice(
  entry: ChannelEntry & { url: SecretValue },
  context: NotifierContext,
  render: (notice: IncidentNotification, links: NoticeLinks) => unknown,
  malformed: (answer: HttpAnswer) => string | undefined,
): AlertSink {
  return new HttpChannel(
    entry,
    {
      stateful: false,
      secrets: { url: entry.url },
      requests: (notice, { url }, links) => [
        {
          what: `${entry.type} message for ${notice.incident}`,
          url: url?.reveal() ?? '',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(render(notice, links)),
          malformed,
        },
      ],
    },
    context,
  );
}
