import * as z from 'zod/mini';
import { channelFields, secretField } from '../channel-fields.ts';
import { describeChannel, postPerNotice } from '../http-channel.ts';
import { defineNotifier } from '../notifier.ts';
import { slackMessage } from './blocks.ts';

const schema = z.strictObject({
  ...channelFields('slack'),
  url: secretField('The incoming webhook URL (anyone holding it can post)'),
});

/** Slack through an incoming webhook, beside the AWS Chatbot path: Block Kit, one message per notice. */
export const slackNotifier = defineNotifier<z.infer<typeof schema>>({
  type: 'slack',
  summary: 'Slack incoming webhook: a Block Kit message per notice',
  remote: true,
  schema,
  describe: (entry) => describeChannel(entry, 'webhook', { URL: entry.url }),
  secrets: (entry) => [entry.url],
  // Slack answers 200 "ok"; its errors come as 4xx with a word such as invalid_payload.
  create: (entry, context) =>
    postPerNotice(entry, context, slackMessage, ({ text }) =>
      text.trim() === 'ok' ? undefined : 'not "ok"',
    ),
});
