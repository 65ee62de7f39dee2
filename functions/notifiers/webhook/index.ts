import * as z from 'zod/mini';
import { channelFields, secretField } from '../channel-fields.ts';
import { describeChannel, HttpChannel } from '../http-channel.ts';
import { defineNotifier } from '../notifier.ts';
import { webhookBody } from './payload.ts';
import { SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from './signature.ts';

const schema = z.strictObject({
  ...channelFields('webhook'),
  url: secretField('The URL to POST to'),
  signingKey: z
    .optional(secretField('The HMAC-SHA256 key the body is signed with'))
    .check(z.describe('The HMAC-SHA256 key the body is signed with. Default: unsigned.')),
});

/** Any HTTP endpoint: a versioned JSON body per notice, signed with HMAC-SHA256. */
export const webhookNotifier = defineNotifier<z.infer<typeof schema>>({
  type: 'webhook',
  summary: 'any HTTP endpoint: a JSON body per notice, signed with HMAC-SHA256',
  remote: true,
  schema,
  describe: (entry) =>
    describeChannel(entry, entry.signingKey ? 'signed' : 'unsigned', {
      URL: entry.url,
      'signing key': entry.signingKey,
    }),
  secrets: (entry) => [entry.url, ...(entry.signingKey ? [entry.signingKey] : [])],
  create: (entry, context) =>
    new HttpChannel(
      entry,
      {
        stateful: false,
        secrets: { url: entry.url, signingKey: entry.signingKey },
        requests: (notice, { url, signingKey }, links) => {
          const body = JSON.stringify(webhookBody(notice, links));
          const timestamp = String(Math.floor(Date.now() / 1000));
          return [
            {
              what: `webhook for ${notice.incident}`,
              url: url?.reveal() ?? '',
              headers: {
                'Content-Type': 'application/json',
                'X-Depot-Watch-Notice': notice.id,
                ...(signingKey
                  ? {
                      [TIMESTAMP_HEADER]: timestamp,
                      [SIGNATURE_HEADER]: signature(signingKey.reveal(), timestamp, body),
                    }
                  : {}),
              },
              body,
              // Any 2xx is delivered: a receiver's own answer is its business.
              malformed: () => undefined,
            },
          ];
        },
      },
      context,
    ),
});
