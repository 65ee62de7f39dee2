import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import { unfilableIdReason } from '../core/archive-layout.ts';

// The fields the whole config and each of its depots share.

/** A charger or connector id: it names folders and S3 keys, so it must fit in one. */
export const id = z.string().check(
  z.superRefine((value, ctx) => {
    const reason = value.startsWith('_')
      ? "must not start with '_': such ids are kept for the depot's own records"
      : unfilableIdReason(value);
    if (reason) ctx.addIssue({ code: 'custom', message: reason, input: value });
  }),
);

/**
 * An API URL. Credentials and tokens travel to it, so plain http is refused except on this
 * machine (the simulator, a local proxy).
 */
const apiUrl = z.url().check(
  z.refine((value) => {
    // A value that is no URL at all is reported by z.url() already.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
  }, 'must be an https:// URL (plain http:// only for localhost): credentials and tokens travel to it'),
);

/** The chargers and connectors to watch, as listed; `configSchema` requires at least one. */
export const fleetList = z.array(
  z.strictObject({
    chargerId: id.check(z.describe('The charger id, as the DepotFinity API names it.')),
    connectors: z
      .array(id)
      .check(
        z.minLength(1, 'list at least one connector'),
        z.describe('Its connector ids, as the API names them.'),
      ),
  }),
);

/** Whether a host name is this machine: plain http is allowed only there. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The DepotFinity hosts of one vendor region. */
export const apiSection = z.prefault(
  z.strictObject({
    tokenUrl: z
      ._default(apiUrl, 'https://clientapp-auth.eu.depot.emobility.io/oauth2/token')
      .check(z.describe('OAuth token endpoint. Default: the EU host.')),
    baseUrl: z
      ._default(apiUrl, 'https://api.eu.depot.emobility.io')
      .check(
        z.describe(
          'Session reports API base; may carry a path, to which v1/sessionReports is appended. Default: the EU host.',
        ),
      ),
  }),
  {},
);

/** Client credentials written in a config file; better set through the environment. */
export const credentialsSection = z.optional(
  z.strictObject({
    clientId: z.optional(z.string().check(z.minLength(1))).check(z.describe('The client id.')),
    clientSecret: z
      .optional(z.string().check(z.minLength(1)))
      .check(z.describe('The client secret; keep it out of files you commit.')),
  }),
);
