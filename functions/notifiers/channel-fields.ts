import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import { isLoopback } from '../config/config-fields.ts';
import { routeSchema } from './route.ts';
import { secretValueSchema } from './secret-value.ts';

/**
 * Whether a channel may be sent to at this URL: https, or plain http on this machine only (a
 * local receiver, the demo's, a test's stand-in). Keys and message bodies travel to it.
 */
export function isDeliverableUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

/** A service URL that is no secret (PagerDuty's endpoint, Opsgenie's API host). */
export const serviceUrl = z
  .string()
  .check(z.refine(isDeliverableUrl, 'must be an https:// URL (plain http:// only for localhost)'));

/** The fields every HTTP channel has: its `type`, an optional name and its route. */
export function channelFields<T extends string>(type: T) {
  return {
    type: z.literal(type).check(z.describe('The kind of channel.')),
    name: z
      .optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}$/)))
      .check(
        z.describe(
          'A name that tells two channels of one type apart in errors and `config check`.',
        ),
      ),
    route: routeSchema.check(
      z.describe(
        'Which notices the channel hears, by severity, event, subject and depot. Default: all.',
      ),
    ),
  };
}

/** A secret field, described the same way in every channel. */
export function secretField(what: string) {
  return secretValueSchema.check(
    z.describe(
      `${what}: \`{"secret": "<name or ARN>"}\` (deployed), \`{"env": "VAR"}\`, or the value itself (local only).`,
    ),
  );
}
