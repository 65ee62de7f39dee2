import * as z from 'zod/mini';
import { channelFields, secretField } from '../channel-fields.ts';
import { describeChannel, postPerNotice } from '../http-channel.ts';
import { defineNotifier } from '../notifier.ts';
import { teamsMessage } from './card.ts';

const schema = z.strictObject({
  ...channelFields('teams'),
  url: secretField('The Workflows webhook URL (anyone holding it can post)'),
});

/** Microsoft Teams through a Workflows webhook: one Adaptive Card per notice. */
export const teamsNotifier = defineNotifier<z.infer<typeof schema>>({
  type: 'teams',
  summary: 'Microsoft Teams Workflows webhook: an Adaptive Card per notice',
  remote: true,
  schema,
  describe: (entry) => describeChannel(entry, 'webhook', { URL: entry.url }),
  secrets: (entry) => [entry.url],
  // Workflows answer 202 with no body, the retired connectors 200 with "1": a 2xx with other
  // text is a proxy or an error page, not Teams.
  create: (entry, context) =>
    postPerNotice(entry, context, teamsMessage, ({ text }) =>
      ['', '1'].includes(text.trim()) ? undefined : 'unexpected text',
    ),
});
