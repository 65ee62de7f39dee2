import * as z from 'zod';
import { ConfigError } from '../functions/config/config.ts';
import { scheduleProblem } from './schedule-expression.ts';

/** Mondays at 06:00 in the deployment's time zone: last week's report before the day shift. */
export const DEFAULT_REPORT_SCHEDULE = 'cron(0 6 ? * MON *)';

/** Whether a name is an IANA time zone this Node knows (and so, in practice, Scheduler too). */
function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const severity = z.enum(['info', 'warning', 'critical']);
const SUBSCRIBERS_EXAMPLE =
  '[{"address": "depot-engineers@example.com", "minSeverity": "warning"}]';
const emailSubscriber = z.strictObject(
  {
    address: z.email('must be an email address such as depot-engineers@example.com'),
    minSeverity: severity.default('warning'),
  },
  {
    // Only for an entry that is no object at all; an unknown key keeps zod's own message.
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'must be {"address": "...", "minSeverity": "info" | "warning" | "critical"}'
        : undefined,
  },
);
/** A list of email subscribers, as `-c 'alertEmails=[...]'` gives it. */
const emailSubscribers = z.array(
  emailSubscriber,
  `must be a JSON list such as ${SUBSCRIBERS_EXAMPLE}`,
);

/**
 * What an operator sets in CDK context (`-c name=value` or cdk.json). The scan settings reuse
 * the one config schema, so a wrong threshold fails `cdk synth` exactly as it fails the CLI.
 */
export const deploymentSchema = z.strictObject({
  /** The scan config (fleet, api, scan, thresholds, overrides), inline. */
  config: z.unknown().optional(),
  /** Or a path to a JSON file holding it (the same file the CLI reads). */
  configFile: z.string().min(1).optional(),
  /** Minutes between scheduled scans. Default: 15. */
  scheduleMinutes: z.coerce
    .number('must be a whole number of minutes between scans, from 1 to 1440')
    .int('must be a whole number of minutes between scans, from 1 to 1440')
    .min(1, 'must be at least 1 minute')
    .max(1440, 'must be at most 1440 minutes (one day)')
    .default(15),
  /** Email addresses for alerts, each with the least severity it receives. Default: none. */
  alertEmails: emailSubscribers.default([]),
  /**
   * Email addresses of the vehicle maintenance team, each with the least severity it receives:
   * they get the incidents whose fault follows a bus across chargers, and the technicians on
   * `alertEmails` then stop getting those. Default: none (technicians get them too).
   */
  vehicleEmails: emailSubscribers.default([]),
  /** Slack channel for alerts through AWS Chatbot; it receives every severity. Default: none. */
  slack: z
    .strictObject({
      workspaceId: z.string().regex(/^[A-Z0-9]+$/, 'is the Slack workspace id (T0...)'),
      channelId: z.string().regex(/^[A-Z0-9]+$/, 'is the Slack channel id (C0...)'),
    })
    .optional(),
  /** Days to keep raw reports; omit to keep them. Default: kept. */
  archiveRetentionDays: z.coerce.number().int().min(1).optional(),
  /** Object Lock (governance mode) days for the archive, for tamper-proof records. Default: off. */
  objectLockDays: z.coerce.number().int().min(1).optional(),
  /** Lambda memory in MB. Default: 512. */
  memoryMb: z.coerce.number().int().min(128).max(10_240).default(512),
  /** Lambda timeout in minutes. Default: 5. */
  timeoutMinutes: z.coerce.number().int().min(1).max(15).default(5),
  /**
   * When the weekly health report runs: an EventBridge Scheduler `cron(...)` or `rate(...)`
   * expression, read in `timeZone`. Default: `cron(0 6 ? * MON *)`, Mondays at 06:00.
   */
  reportSchedule: z
    .string()
    .trim()
    .superRefine((expression, ctx) => {
      const problem = scheduleProblem(expression);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: `must be an EventBridge Scheduler expression such as "cron(0 6 ? * MON *)" or "rate(7 days)"; in "${expression}", ${problem}`,
        });
    })
    .default(DEFAULT_REPORT_SCHEDULE),
  /**
   * Whether the stack makes its CloudWatch dashboard. An account's first three dashboards are
   * free, each one after them $3 a month: set `false` where the account already has three.
   * Default: true.
   */
  dashboard: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
      error: 'must be true or false',
    })
    .default(true),
  /** The IANA time zone the report schedule is read in, such as `Europe/Berlin`. Default: UTC. */
  timeZone: z
    .string()
    .trim()
    .refine(isTimeZone, 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"')
    .default('UTC'),
});

export type DeploymentSettings = z.infer<typeof deploymentSchema>;

/** Context keys the app reads besides the deployment settings. */
export const APP_CONTEXT_KEYS = ['stackName'] as const;

/**
 * Reads and checks deployment settings from context values; errors name the context key.
 * Every key must be one the app reads, one of CDK's own, or one of `projectKeys` (those
 * cdk.json sets): a misspelt `-c alertEmail=...` would otherwise deploy without anyone told.
 */
export function parseDeployment(
  context: Record<string, unknown>,
  projectKeys: readonly string[] = [],
): DeploymentSettings {
  rejectUnknownKeys(Object.keys(context), projectKeys);
  const input = Object.fromEntries(
    Object.entries(context)
      .filter(([key]) => key in deploymentSchema.shape)
      .map(([key, value]) => [
        key,
        typeof value === 'string' && /^[[{]/.test(value.trim()) ? JSON.parse(value) : value,
      ]),
  );
  const parsed = deploymentSchema.safeParse(input);
  if (parsed.success) {
    rejectSharedAddresses(parsed.data);
    return parsed.data;
  }
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
  throw new ConfigError(`invalid CDK context: ${problems.join('; ')}`);
}

/**
 * One address on both lists would need two subscriptions of one endpoint to one topic with
 * different filters, which SNS refuses at deploy time; say so at synth, with the fix.
 */
function rejectSharedAddresses(settings: DeploymentSettings): void {
  const technicians = new Set(settings.alertEmails.map((e) => e.address.toLowerCase()));
  const shared = settings.vehicleEmails.filter((e) => technicians.has(e.address.toLowerCase()));
  if (shared.length === 0) return;
  throw new ConfigError(
    `invalid CDK context: vehicleEmails: ${shared.map((e) => e.address).join(', ')} also in alertEmails; an address belongs on one list only`,
  );
}

function rejectUnknownKeys(keys: readonly string[], projectKeys: readonly string[]): void {
  const known: readonly string[] = [...Object.keys(deploymentSchema.shape), ...APP_CONTEXT_KEYS];
  const unknown = keys.filter(
    (key) => !known.includes(key) && !projectKeys.includes(key) && !isCdkOwnKey(key),
  );
  if (unknown.length === 0) return;
  throw new ConfigError(
    `unknown CDK context ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => `"${k}"`).join(', ')}: nothing reads ${unknown.length === 1 ? 'it' : 'them'}; depot-watch reads ${known.join(', ')}`,
  );
}

/**
 * CDK's own context: feature flags (`@aws-cdk/...`), what the CLI and App set (`aws:cdk:...`),
 * lookups cached in cdk.context.json (`<provider>:account=...`) and `cdk acknowledge`'s list.
 */
function isCdkOwnKey(key: string): boolean {
  return (
    key.startsWith('@aws-cdk/') ||
    key.startsWith('aws:') ||
    key.includes(':account=') ||
    key === 'acknowledged-issue-numbers'
  );
}
