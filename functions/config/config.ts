import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import {
  checkThresholds,
  mergeThresholds,
  type ThresholdsInput,
  thresholdOverrideSchema,
  thresholdsInputSchema,
} from '../core/thresholds.ts';

const id = z
  .string()
  .check(z.minLength(1, 'must not be empty'), z.maxLength(256, 'must be at most 256 characters'));

/**
 * The one schema of every setting. The CLI reads it from a file, the Lambda from its
 * environment, the CDK app from context; all three get the same defaults and the same errors.
 */
export const configSchema = z
  .strictObject({
    /** The chargers and connectors to watch; the API has no endpoint that lists them. */
    fleet: z
      .array(
        z.strictObject({
          chargerId: id,
          connectors: z.array(id).check(z.minLength(1, 'list at least one connector')),
        }),
      )
      .check(z.minLength(1, 'list at least one charger')),
    api: z.prefault(
      z.strictObject({
        /** OAuth token endpoint. Default: the EU host. */
        tokenUrl: z._default(z.url(), 'https://clientapp-auth.eu.depot.emobility.io/oauth2/token'),
        /** Session reports API base. Default: the EU host. */
        baseUrl: z._default(z.url(), 'https://api.eu.depot.emobility.io'),
      }),
      {},
    ),
    /** Client credentials; better set through DEPOT_WATCH_CLIENT_ID / DEPOT_WATCH_CLIENT_SECRET. */
    credentials: z.optional(
      z.strictObject({
        clientId: z.optional(z.string().check(z.minLength(1))),
        clientSecret: z.optional(z.string().check(z.minLength(1))),
      }),
    ),
    /** A folder path or `s3://bucket/prefix`. Default: ./.depot-watch/archive. */
    archive: z._default(z.string().check(z.minLength(1)), './.depot-watch/archive'),
    /** Where cursors and the alert ledger live: a folder path or `s3://bucket/prefix`. Default: ./.depot-watch/state. */
    state: z._default(z.string().check(z.minLength(1)), './.depot-watch/state'),
    /** Alert destinations: `stdout`, a `.jsonl` file path, or an SNS topic ARN. Default: stdout. */
    alerts: z._default(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), ['stdout']),
    scan: z.prefault(
      z.strictObject({
        /** Reports per page, as the API allows. Default: 500. */
        pageSize: z._default(z.int().check(z.minimum(10), z.maximum(2000)), 500),
        /** Connectors scanned at once. Default: 8. */
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
        /** How long the ledger remembers a published alert. Default: 35 days. */
        ledgerRetentionDays: z._default(z.number().check(z.positive(), z.maximum(3650)), 35),
      }),
      {},
    ),
    /** Site-wide thresholds by rule id; every field has a default (see the README). */
    thresholds: thresholdsInputSchema,
    /** Thresholds for particular chargers or connectors, on top of the site-wide ones. */
    overrides: z._default(z.array(thresholdOverrideSchema), []),
  })
  .check(
    z.superRefine((config, ctx) => {
      // Each layer must still make sense once merged: a critical level below a warning level, say.
      const base = config.thresholds as ThresholdsInput;
      for (const problem of checkThresholds(mergeThresholds(base))) {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', ...problem.path],
          message: problem.message,
        });
      }
      config.overrides.forEach((override, index) => {
        const merged = mergeThresholds(base, override.thresholds as ThresholdsInput);
        for (const problem of checkThresholds(merged)) {
          ctx.addIssue({
            code: 'custom',
            path: ['overrides', index, 'thresholds', ...problem.path],
            message: problem.message,
          });
        }
      });
    }),
  );

/** The validated configuration with defaults filled in. */
export type Config = z.infer<typeof configSchema>;

/** A setting is wrong; the message names the field and what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates raw settings; `source` names where they came from in the error. */
export function parseConfig(input: unknown, source: string): Config {
  const parsed = configSchema.safeParse(input);
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
