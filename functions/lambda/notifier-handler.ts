import { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { readSecretText } from '../adapters/secret-text.ts';
import { ConfigError } from '../config/config.ts';
import type { Fetch } from '../http/http.ts';
import type { Sleep } from '../http/retry.ts';
import type { AlertEntry } from '../notifiers/notifier.ts';
import { channelsOf } from '../notifiers/registry.ts';
import type { SecretReader } from '../notifiers/secret-value.ts';
import type { AlertSink } from '../scan/ports.ts';
import { noticesInAlert } from './alert-notices.ts';
import { DeliveryMemory } from './delivery-memory.ts';
import { METRICS_SERVICE } from './metric-names.ts';

/** What the notifier function is built from; tests pass local stand-ins. */
export interface NotifierHandlerDependencies {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  readSecret?: SecretReader;
  fetch?: Fetch;
  sleep?: Sleep;
}

/** Some notices did not reach every channel: the invocation fails, Lambda retries it, then its dead-letter queue. */
export class NoticesUndelivered extends Error {
  override readonly name = 'NoticesUndelivered';
}

/**
 * The notifier function: subscribed to the alert topic, it delivers each alert's notices to the
 * remote channels the stack put in DEPOT_WATCH_NOTIFIERS (PagerDuty, Opsgenie, Teams, Slack,
 * webhooks), so the scan never waits on a third party. Channels are tried side by side, each
 * with its own retries; what one could not take fails the invocation, and the retry sends it
 * only to the channels that still lack it (see DeliveryMemory). Secrets are read from Secrets
 * Manager and never logged; errors name channels and incidents, not keys or URLs.
 */
export function createNotifierHandler(deps: NotifierHandlerDependencies) {
  const memory = new DeliveryMemory();
  let channels: AlertSink[] | undefined;
  const channelsNow = () =>
    // Built on the first invocation, so that a bad setting fails an invocation (and alarms),
    // not the module's import.
    (channels ??= channelsOf(entriesOf(deps.env.DEPOT_WATCH_NOTIFIERS), {
      archiveLocation: deps.env.DEPOT_WATCH_ARCHIVE_LOCATION ?? '',
      baseDir: '/',
      secrets: { env: deps.env, readSecret: deps.readSecret ?? readSecretText },
      ...(deps.env.DEPOT_WATCH_CONFIG_NAME ? { configName: deps.env.DEPOT_WATCH_CONFIG_NAME } : {}),
      ...(deps.env.AWS_REGION ? { region: deps.env.AWS_REGION } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    }));

  return async function notifierHandler(event: SNSEvent): Promise<{ delivered: number }> {
    const notices = event.Records.flatMap((record) => noticesInAlert(record.Sns.Message));
    const outcomes = await Promise.all(
      channelsNow().map(async (channel, index) => {
        const due = memory.due(index, notices);
        const outcome = due.length > 0 ? await channel.publish(due) : { accepted: [], failed: [] };
        memory.record(index, due, outcome);
        return outcome;
      }),
    );
    const failed = outcomes.flatMap((o) => o.failed);
    for (const { id, error } of failed) deps.logger.error('notice not delivered', { id, error });
    deps.logger.info('notices delivered', {
      notices: notices.length,
      deliveries: outcomes.reduce((sum, o) => sum + o.accepted.length, 0),
      failed: failed.length,
    });
    if (failed.length > 0)
      throw new NoticesUndelivered(
        `${failed.length} delivery(ies) failed: ${failed
          .slice(0, 5)
          .map((f) => f.error)
          .join('; ')}`,
      );
    return { delivered: notices.length };
  };
}

/** The channels the stack configured, checked as the config is. */
function entriesOf(json: string | undefined): AlertEntry[] {
  if (!json) throw new ConfigError('DEPOT_WATCH_NOTIFIERS is not set: deploy the stack again');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError('DEPOT_WATCH_NOTIFIERS is not valid JSON');
  }
  if (!Array.isArray(value)) throw new ConfigError('DEPOT_WATCH_NOTIFIERS is not a JSON list');
  return value as AlertEntry[];
}

/** The Lambda entry point: SNS invokes it with the alert topic's messages. */
export const handler = createNotifierHandler({
  env: process.env,
  logger: new Logger({ serviceName: `${METRICS_SERVICE}-notifier` }),
});
