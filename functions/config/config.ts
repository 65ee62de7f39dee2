import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import { DEFAULT_INCIDENT_SETTINGS, incidentSettingsSchema } from '../core/incidents/settings.ts';
import { maintenanceWindowSchema, silenceSchema } from '../core/incidents/silences.ts';
import { lazily } from '../core/lazy.ts';
import { thresholdOverrideSchema, thresholdsInputSchema } from '../core/thresholds.ts';
import { configProblems } from './config-checks.ts';
import { apiSection, credentialsSection, fleetList } from './config-fields.ts';
import { depotSchema } from './depots.ts';

/** Every section of the config, before the checks that need several sections at once. */
const configSections = z.strictObject({
  /**
   * The chargers and connectors to watch; the API has no endpoint that lists them. A config
   * lists either this one fleet or `depots`, each with its own fleet.
   */
  fleet: z._default(fleetList, []),
  /** Several depots, each with its own API hosts, credentials and fleet. Default: none. */
  depots: z._default(z.array(depotSchema), []),
  api: apiSection,
  /** Client credentials; better set through DEPOT_WATCH_CLIENT_ID / DEPOT_WATCH_CLIENT_SECRET. */
  credentials: credentialsSection,
  /** A folder path or `s3://bucket/prefix`. Default: ./.depot-watch/archive. */
  archive: z._default(z.string().check(z.minLength(1)), './.depot-watch/archive'),
  /** Where cursors and incidents live: a folder path or `s3://bucket/prefix`. Default: ./.depot-watch/state. */
  state: z._default(z.string().check(z.minLength(1)), './.depot-watch/state'),
  /** Alert destinations: `stdout`, a `.jsonl` file path, or an SNS topic ARN. Default: stdout. */
  alerts: z._default(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), ['stdout']),
  scan: z.prefault(
    z.strictObject({
      /** Reports per page, as the API allows. Default: 500. */
      pageSize: z._default(z.int().check(z.minimum(10), z.maximum(2000)), 500),
      /**
       * Connectors scanned at once, and the most API requests in flight. Default: 8. The
       * vendor documents no rate limit, so requests start at 8 in flight (or this, if lower),
       * grow by one after each full round of successes up to this ceiling, and halve on a 429.
       * 8 keeps a page body cap of 5.3 MiB at 512 MB (ten 400 KB reports still fit one page);
       * 32 scans a large fleet about twice as fast, with memory to match.
       */
      concurrency: z._default(z.int().check(z.minimum(1), z.maximum(256)), 8),
      /** How far back a connector's first scan looks. Default: 24 h. */
      initialLookbackHours: z._default(z.number().check(z.positive(), z.maximum(24 * 90)), 24),
      /**
       * How far each window reaches back before the cursor. Default: 480 min. The API does
       * not say whether from/to filter on a session's start or end, and a report appears only
       * once its session has ended: the overlap must outlast the longest session, or a long
       * overnight charge that started before the window would never be read.
       */
      overlapMinutes: z._default(z.number().check(z.minimum(0), z.maximum(24 * 60)), 480),
      /**
       * A connector's cursor is rewritten only once it is this old. Default: 60 min. Each
       * write is an S3 PUT per connector per run, most of the bill at a 15-minute schedule;
       * a cursor that lags by up to an hour only makes the overlapping window a little wider.
       */
      cursorRefreshMinutes: z._default(z.number().check(z.minimum(0), z.maximum(24 * 60)), 60),
      /** Time for one API request, body included. Default: 15 s. */
      requestTimeoutMs: z._default(z.int().check(z.minimum(100), z.maximum(120_000)), 15_000),
      /** Attempts per API request. Default: 5. */
      maxAttempts: z._default(z.int().check(z.minimum(1), z.maximum(20)), 5),
      /** First retry delay; doubles per attempt, with jitter. Default: 500 ms. */
      retryBaseDelayMs: z._default(z.int().check(z.minimum(0), z.maximum(60_000)), 500),
      /** Longest wait between attempts, Retry-After included. Default: 30 s. */
      retryMaxDelayMs: z._default(z.int().check(z.minimum(0), z.maximum(300_000)), 30_000),
      /**
       * Reports read from one connector in one run, at most. Default: 100,000. More than that
       * in one window is an API that ignores the window; the connector fails, naming this.
       */
      maxReportsPerConnector: z._default(
        z.int().check(z.minimum(100), z.maximum(10_000_000)),
        100_000,
      ),
    }),
    {},
  ),
  /** Site-wide thresholds by rule id; every field has a default (docs/rules.md). */
  thresholds: thresholdsInputSchema,
  /** Thresholds and incident settings for particular chargers or connectors. */
  overrides: z._default(z.array(thresholdOverrideSchema), []),
  /** How findings become incidents: pending, reminders, escalation, resolve, silent connectors. */
  incidents: z._default(incidentSettingsSchema, DEFAULT_INCIDENT_SETTINGS),
  /** Times when notices about some chargers, connectors or rules wait (ISO from/until). */
  silences: z._default(z.array(silenceSchema), []),
  /** Recurring windows (days, local times, an IANA zone) when notices wait. */
  maintenanceWindows: z._default(z.array(maintenanceWindowSchema), []),
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
