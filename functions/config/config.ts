import * as z from 'zod/mini';
import '../core/zod-messages.ts';
import { unfilableIdReason } from '../core/archive-layout.ts';
import { CONNECTOR_SILENT } from '../core/incidents/connector-incidents.ts';
import { DEFAULT_INCIDENT_SETTINGS, incidentSettingsSchema } from '../core/incidents/settings.ts';
import { maintenanceWindowSchema, silenceSchema } from '../core/incidents/silences.ts';
import { lazily } from '../core/lazy.ts';
import { RULE_IDS } from '../core/rules/registry.ts';
import {
  checkThresholds,
  mergeThresholds,
  type ThresholdsInput,
  thresholdOverrideSchema,
  thresholdsInputSchema,
} from '../core/thresholds.ts';

/** A charger or connector id: it names folders and S3 keys, so it must fit in one. */
const id = z.string().check(
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
const fleetList = z.array(
  z.strictObject({
    chargerId: id,
    connectors: z.array(id).check(z.minLength(1, 'list at least one connector')),
  }),
);

/** Every section of the config, before the checks that need several sections at once. */
const configSections = z.strictObject({
  /** The chargers and connectors to watch; the API has no endpoint that lists them. */
  fleet: fleetList.check(z.minLength(1, 'list at least one charger')),
  api: z.prefault(
    z.strictObject({
      /** OAuth token endpoint. Default: the EU host. */
      tokenUrl: z._default(apiUrl, 'https://clientapp-auth.eu.depot.emobility.io/oauth2/token'),
      /** Session reports API base. Default: the EU host. */
      baseUrl: z._default(apiUrl, 'https://api.eu.depot.emobility.io'),
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
  /** Site-wide thresholds by rule id; every field has a default (see the README). */
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
export const configSchema = configSections.check(z.superRefine(acrossSections));

/**
 * The same settings with `fleet` optional, for commands that read saved reports rather than
 * the API (`replay`, `backtest`): they learn chargers from the reports, so a config kept only
 * for its thresholds needs no fleet. Overrides and silences then name chargers unchecked.
 * Built on first use: the Lambda never needs it, and building it is paid at every cold start.
 */
const fleetOptionalSchema = lazily(() =>
  z
    .extend(configSections, { fleet: z._default(fleetList, []) })
    .check(z.superRefine(acrossSections)),
);

/** Checks that need the whole config: fleet targets, rule ids, merged threshold layers. */
function acrossSections(
  config: z.output<typeof configSections>,
  ctx: z.core.$RefinementCtx<z.output<typeof configSections>>,
): void {
  const targeted = {
    overrides: config.overrides,
    silences: config.silences,
    maintenanceWindows: config.maintenanceWindows,
  };
  // Without a fleet (replay, backtest) there is nothing to hold the targets against.
  if (config.fleet.length > 0)
    for (const issue of fleetProblems(config.fleet, targeted)) ctx.addIssue(issue);
  for (const section of ['silences', 'maintenanceWindows'] as const)
    config[section].forEach((entry, index) => {
      for (const rule of entry.rules ?? [])
        if (!INCIDENT_RULES.includes(rule))
          ctx.addIssue({
            code: 'custom',
            path: [section, index, 'rules'],
            message: `no rule has the id "${rule}"; known: ${INCIDENT_RULES.join(', ')}`,
            input: rule,
          });
    });
  for (const rule of Object.keys(config.incidents.rules))
    if (!INCIDENT_RULES.includes(rule))
      ctx.addIssue({
        code: 'custom',
        path: ['incidents', 'rules', rule],
        message: `no rule has this id; known: ${INCIDENT_RULES.join(', ')}`,
        input: rule,
      });
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
}

/** Every rule id an incident can have: the rules' own, and the connector going silent. */
export const INCIDENT_RULES = [...RULE_IDS, CONNECTOR_SILENT];

type Fleet = readonly { chargerId: string; connectors: readonly string[] }[];

/** Config entries that name a charger and maybe a connector, by section. */
type Targeted = Record<
  string,
  readonly { chargerId?: string | undefined; connectorId?: string | undefined }[]
>;

/**
 * What a fleet list gets wrong silently: a charger or connector listed twice (every alert
 * doubles), an override or silence naming a charger or connector the fleet does not have
 * (it would apply to nothing).
 */
function fleetProblems(
  fleet: Fleet,
  targeted: Targeted,
): { code: 'custom'; path: PropertyKey[]; message: string; input: unknown }[] {
  const problems: { code: 'custom'; path: PropertyKey[]; message: string; input: unknown }[] = [];
  const chargers = new Map<string, Set<string>>();
  const firstIndex = new Map<string, number>();
  fleet.forEach(({ chargerId, connectors }, index) => {
    const earlier = firstIndex.get(chargerId);
    if (earlier !== undefined) {
      problems.push({
        code: 'custom',
        path: ['fleet', index, 'chargerId'],
        message: `charger "${chargerId}" is listed twice (also fleet.${earlier}); list it once with all its connectors`,
        input: chargerId,
      });
      return;
    }
    firstIndex.set(chargerId, index);
    const seen = new Set<string>();
    connectors.forEach((connectorId, c) => {
      if (seen.has(connectorId))
        problems.push({
          code: 'custom',
          path: ['fleet', index, 'connectors', c],
          message: `connector "${connectorId}" is listed twice for charger "${chargerId}"`,
          input: connectorId,
        });
      seen.add(connectorId);
    });
    chargers.set(chargerId, seen);
  });
  for (const [section, entries] of Object.entries(targeted))
    entries.forEach(({ chargerId, connectorId }, index) => {
      if (chargerId === undefined) return; // depot-wide
      const connectors = chargers.get(chargerId);
      const what = section === 'overrides' ? 'override' : 'entry';
      if (!connectors)
        problems.push({
          code: 'custom',
          path: [section, index, 'chargerId'],
          message: `charger "${chargerId}" is not in the fleet, so this ${what} would apply to nothing`,
          input: chargerId,
        });
      else if (connectorId !== undefined && !connectors.has(connectorId))
        problems.push({
          code: 'custom',
          path: [section, index, 'connectorId'],
          message: `charger "${chargerId}" has no connector "${connectorId}" in the fleet, so this ${what} would apply to nothing`,
          input: connectorId,
        });
    });
  return problems;
}

/** Whether a host name is this machine: plain http is allowed only there. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

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
