import * as z from 'zod/mini';
import { channelFields, secretField, serviceUrl } from '../channel-fields.ts';
import { describeChannel, HttpChannel } from '../http-channel.ts';
import { defineNotifier } from '../notifier.ts';
import { pagerDutyRequests } from './events.ts';

const schema = z.strictObject({
  ...channelFields('pagerduty'),
  routingKey: secretField('The integration key of an Events API v2 integration'),
  url: z
    ._default(serviceUrl, 'https://events.pagerduty.com/v2/enqueue')
    .check(z.describe("The Events API endpoint. Default: PagerDuty's.")),
});

/** PagerDuty Events API v2: one alert per incident, triggered, updated and resolved by its id. */
export const pagerDutyNotifier = defineNotifier<z.infer<typeof schema>>({
  type: 'pagerduty',
  summary: 'PagerDuty Events API v2: one alert per incident, resolved when the incident is',
  remote: true,
  schema,
  describe: (entry) =>
    describeChannel(entry, `at ${entry.url}`, { 'routing key': entry.routingKey }),
  secrets: (entry) => [entry.routingKey],
  create: (entry, context) =>
    new HttpChannel(
      entry,
      {
        stateful: true,
        secrets: { routingKey: entry.routingKey },
        requests: (notice, { routingKey }, links, routed) =>
          pagerDutyRequests(notice, entry.url, routingKey?.reveal() ?? '', links, routed),
      },
      context,
    ),
});
