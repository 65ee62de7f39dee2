import * as z from 'zod/mini';
import { channelFields, secretField, serviceUrl } from '../channel-fields.ts';
import { describeChannel, HttpChannel } from '../http-channel.ts';
import { defineNotifier } from '../notifier.ts';
import { opsgenieRequests } from './alerts.ts';

const schema = z.strictObject({
  ...channelFields('opsgenie'),
  apiKey: secretField('The API integration key (sent as `GenieKey`)'),
  url: z
    ._default(serviceUrl, 'https://api.opsgenie.com')
    .check(
      z.describe(
        "The API base: https://api.eu.opsgenie.com for EU accounts, https://api.atlassian.com/jsm/ops/integration for Jira Service Management. Default: Opsgenie's.",
      ),
    ),
});

/** Opsgenie (or Jira Service Management Operations) alerts: alias = incident, closed on resolve. */
export const opsgenieNotifier = defineNotifier<z.infer<typeof schema>>({
  type: 'opsgenie',
  summary: 'Opsgenie or Jira Service Management alerts: one per incident, closed when it resolves',
  remote: true,
  schema,
  describe: (entry) => describeChannel(entry, `at ${entry.url}`, { 'API key': entry.apiKey }),
  secrets: (entry) => [entry.apiKey],
  create: (entry, context) =>
    new HttpChannel(
      entry,
      {
        stateful: true,
        secrets: { apiKey: entry.apiKey },
        requests: (notice, { apiKey }, links, routed) =>
          opsgenieRequests(notice, entry.url, apiKey?.reveal() ?? '', links, routed),
      },
      context,
    ),
});
