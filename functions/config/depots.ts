import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import { incidentSettingsSchema } from '../core/incidents/settings.ts';
import { thresholdOverrideSchema, thresholdsInputSchema } from '../core/thresholds.ts';
import { apiSection, credentialsSection, fleetList } from './config-fields.ts';

/**
 * A depot's name. It names an archive partition (`depot=<name>`), a state folder, a metric
 * dimension and an environment variable, so it keeps to letters, digits, `-` and `_`.
 */
const depotName = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/,
      'must be 1-63 letters, digits, "-" or "_", starting with a letter or digit: it names an archive partition, a metric dimension and environment variables',
    ),
  );

/**
 * One depot of several: its own vendor region, credentials and fleet, and optionally its own
 * thresholds and incident settings. Scan, archive layout and the rest are the whole config's.
 */
export const depotSchema = z.strictObject({
  name: depotName.check(
    z.describe(
      "The depot's name: it appears in alerts, the archive (`depot=<name>`), metrics and the health report.",
    ),
  ),
  api: apiSection.check(z.describe("The depot's DepotFinity hosts. Default: the EU hosts.")),
  credentialsSecret: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'The Secrets Manager secret (name or ARN) holding {"clientId", "clientSecret"} for this depot, which the deployed function reads. Default: one the stack makes, <stack>/depot/<name>.',
      ),
    ),
  credentials: credentialsSection.check(
    z.describe(
      'Credentials in the file; better DEPOT_WATCH_<NAME>_CLIENT_ID and DEPOT_WATCH_<NAME>_CLIENT_SECRET.',
    ),
  ),
  fleet: fleetList.check(
    z.minLength(1, 'list at least one charger'),
    z.describe("The depot's chargers and connectors."),
  ),
  thresholds: thresholdsInputSchema.check(
    z.describe("Thresholds by rule id, over the site-wide ones. Default: the site's."),
  ),
  overrides: z
    ._default(z.array(thresholdOverrideSchema), [])
    .check(
      z.describe(
        "Thresholds for particular chargers or connectors of this depot, after the site's.",
      ),
    ),
  incidents: z
    .optional(incidentSettingsSchema)
    .check(
      z.describe(
        "How findings become incidents at this depot, instead of the site's. Default: the site's.",
      ),
    ),
});

/** One depot as written in the config. */
export type DepotEntry = z.infer<typeof depotSchema>;
