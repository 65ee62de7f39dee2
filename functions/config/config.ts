import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import { DEFAULT_INCIDENT_SETTINGS, incidentSettingsSchema } from '../core/incidents/settings.ts';
import { maintenanceWindowSchema, silenceSchema } from '../core/incidents/silences.ts';
import { lazily } from '../core/lazy.ts';
import { thresholdOverrideSchema, thresholdsInputSchema } from '../core/thresholds.ts';
import { alertEntrySchema } from '../notifiers/registry.ts';
import { configProblems } from './config-checks.ts';
import { apiSection, credentialsSection, fleetList } from './config-fields.ts';
import { depotSchema } from './depots.ts';

/** A short description of a setting, for the config reference and editors (docs/configuration.md). */
const about = z.describe;

/** Every section of the config, before the checks that need several sections at once. */
const configSections = z.strictObject({
  $schema: z
    .optional(z.string())
    .check(
      about(
        'The JSON Schema this file follows, so that editors complete and check it, such as "docs/depot-watch.schema.json" relative to the file. depot-watch ignores it.',
      ),
    ),
  // The API has no endpoint that lists the chargers: the config names them.
  fleet: z
    ._default(fleetList, [])
    .check(about('The chargers and connectors to watch. A config lists this or `depots`.')),
  depots: z
    ._default(z.array(depotSchema), [])
    .check(
      about(
        'Several depots, each with its own API hosts, credentials and fleet, instead of `fleet` (docs/depots.md).',
      ),
    ),
  api: apiSection.check(about('The DepotFinity hosts of the vendor region.')),
  credentials: credentialsSection.check(
    about(
      'Client credentials in the file; better set through DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET.',
    ),
  ),
  archive: z
    ._default(z.string().check(z.minLength(1)), './.depot-watch/archive')
    .check(about('Where raw reports go: a folder path or `s3://bucket/prefix`.')),
  state: z
    ._default(z.string().check(z.minLength(1)), './.depot-watch/state')
    .check(
      about(
        'Where cursors, incidents, silences and KPIs live: a folder path or `s3://bucket/prefix`.',
      ),
    ),
  alerts: z
    ._default(z.array(alertEntrySchema).check(z.minLength(1)), ['stdout'])
    .check(
      about(
        'Where notices go: `stdout`, a `.jsonl` file path, an SNS topic ARN, or a channel object such as `{"type": "pagerduty", "routingKey": {"secret": "…"}}` (docs/notifiers.md).',
      ),
    ),
  scan: z
    .prefault(
      z.strictObject({
        pageSize: z
          ._default(z.int().check(z.minimum(10), z.maximum(2000)), 500)
          .check(about('Reports per page, as the API allows.')),
        /*
         * The vendor documents no rate limit, so requests start at 8 in flight (or this, if
         * lower), grow by one after each full round of successes up to this ceiling, and halve
         * on a 429. 8 keeps a page body cap of 5.3 MiB at 512 MB (ten 400 KB reports still fit
         * one page); 32 scans a large fleet about twice as fast, with memory to match.
         */
        concurrency: z
          ._default(z.int().check(z.minimum(1), z.maximum(256)), 8)
          .check(about('Connectors scanned at once, and the most API requests in flight.')),
        initialLookbackHours: z
          ._default(z.number().check(z.positive(), z.maximum(24 * 90)), 24)
          .check(about("How far back a connector's first scan looks, in hours.")),
        /*
         * The API does not say whether from/to filter on a session's start or end, and a report
         * appears only once its session has ended: the overlap must outlast the longest session,
         * or a long overnight charge that started before the window would never be read.
         */
        overlapMinutes: z
          ._default(z.number().check(z.minimum(0), z.maximum(24 * 60)), 480)
          .check(about('How far each window reaches back before the cursor, in minutes.')),
        /*
         * Each write is an S3 PUT per connector per run, most of the bill at a 15-minute
         * schedule; a cursor that lags by up to an hour only makes the overlapping window a
         * little wider.
         */
        cursorRefreshMinutes: z
          ._default(z.number().check(z.minimum(0), z.maximum(24 * 60)), 60)
          .check(about("A connector's cursor is rewritten only once it is this many minutes old.")),
        requestTimeoutMs: z
          ._default(z.int().check(z.minimum(100), z.maximum(120_000)), 15_000)
          .check(about('Time for one API request, body included, in milliseconds.')),
        maxAttempts: z
          ._default(z.int().check(z.minimum(1), z.maximum(20)), 5)
          .check(about('Attempts per API request.')),
        retryBaseDelayMs: z
          ._default(z.int().check(z.minimum(0), z.maximum(60_000)), 500)
          .check(about('First retry delay in milliseconds; doubles per attempt, with jitter.')),
        retryMaxDelayMs: z
          ._default(z.int().check(z.minimum(0), z.maximum(300_000)), 30_000)
          .check(about('Longest wait between attempts in milliseconds, Retry-After included.')),
        maxReportsPerConnector: z
          ._default(z.int().check(z.minimum(100), z.maximum(10_000_000)), 100_000)
          .check(
            about(
              'Reports read from one connector in one run, at most; more is an API that ignores the window, and the connector fails.',
            ),
          ),
      }),
      {},
    )
    .check(about('How the API is read.')),
  thresholds: thresholdsInputSchema.check(
    about('Site-wide thresholds by rule id; every field has a default (docs/rules.md).'),
  ),
  overrides: z
    ._default(z.array(thresholdOverrideSchema), [])
    .check(about('Thresholds and incident settings for particular chargers or connectors.')),
  incidents: z
    ._default(incidentSettingsSchema, DEFAULT_INCIDENT_SETTINGS)
    .check(
      about(
        'How findings become incidents: confirmation, reminders, escalation, resolve, attribution, drift (docs/incidents.md).',
      ),
    ),
  silences: z
    ._default(z.array(silenceSchema), [])
    .check(
      about('Times when notices about some chargers, connectors or rules wait (ISO from/until).'),
    ),
  maintenanceWindows: z
    ._default(z.array(maintenanceWindowSchema), [])
    .check(about('Recurring windows (days, local times, an IANA time zone) when notices wait.')),
});

/**
 * The one schema of every setting. The CLI reads it from a file, the Lambda from its
 * environment, the CDK app from context; all three get the same defaults and the same errors.
 */
export const configSchema = configSections.check(
  z.superRefine((config, ctx) => {
    for (const issue of configProblems(config, 'required')) ctx.addIssue({ ...issue });
  }),
);

/**
 * The same settings with `fleet` optional, for commands that read saved reports rather than
 * the API (`replay`, `backtest`): they learn chargers from the reports, so a config kept only
 * for its thresholds needs no fleet. Overrides and silences then name chargers unchecked.
 * Built on first use: only those CLI commands ask for it, never the Lambda.
 */
const fleetOptionalSchema = lazily(() =>
  configSections.check(
    z.superRefine((config, ctx) => {
      for (const issue of configProblems(config, 'optional')) ctx.addIssue({ ...issue });
    }),
  ),
);

/** The validated configuration with defaults filled in. */
export type Config = z.infer<typeof configSchema>;

/** A setting is wrong; the message names the field and what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates raw settings; `source` names where they came from in the error. `fleet: 'optional'`
 * is for the commands that read saved reports only (see `fleetOptionalSchema`).
 */
export function parseConfig(
  input: unknown,
  source: string,
  options: { fleet?: 'required' | 'optional' } = {},
): Config {
  const schema = options.fleet === 'optional' ? fleetOptionalSchema() : configSchema;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // A field can fail both on its own and once merged with the other layers: say it once.
  const all = [
    ...new Set(
      parsed.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`,
      ),
    ),
  ];
  const problems = all.slice(0, 3);
  const more = all.length > 3 ? ` (and ${all.length - 3} more)` : '';
  throw new ConfigError(`invalid config in ${source}: ${problems.join('; ')}${more}`);
}
