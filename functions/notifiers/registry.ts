import * as z from 'zod/mini';
import { FanOutAlerts } from '../adapters/local-alerts.ts';
import type { AlertSink } from '../scan/ports.ts';
import { jsonlNotifier } from './jsonl/index.ts';
import type { AlertEntry, Notifier, NotifierContext } from './notifier.ts';
import { opsgenieNotifier } from './opsgenie/index.ts';
import { pagerDutyNotifier } from './pagerduty/index.ts';
import type { SecretValue } from './secret-value.ts';
import { slackNotifier } from './slack/index.ts';
import { snsNotifier } from './sns/index.ts';
import { stdoutNotifier } from './stdout/index.ts';
import { teamsNotifier } from './teams/index.ts';
import { webhookNotifier } from './webhook/index.ts';

/**
 * Every kind of alert channel, the one list: the config's schema, `config check`, the CLI's
 * scans and demo, the notifier function and the stack all read it. A new channel is a folder
 * beside these (docs/architecture.md, "Adding a notifier") and one line here.
 */
export const NOTIFIERS: readonly Notifier[] = [
  stdoutNotifier,
  jsonlNotifier,
  snsNotifier,
  pagerDutyNotifier,
  opsgenieNotifier,
  teamsNotifier,
  slackNotifier,
  webhookNotifier,
];

const objectSchemas = NOTIFIERS.flatMap((n) => (n.schema ? [n.schema] : []));

/**
 * One entry of `alerts`: a URI (which kind it names is checked by `alertEntryProblem`, so the
 * message can list the kinds), or an object whose `type` picks its channel's schema.
 */
export const alertEntrySchema = z.union(
  [
    z.string().check(z.minLength(1)),
    z.discriminatedUnion(
      'type',
      objectSchemas as unknown as [z.ZodMiniObject, ...z.ZodMiniObject[]],
    ),
  ],
  { error: entryError },
) as unknown as z.ZodMiniType<AlertEntry>;

/**
 * One message for an entry that fits no channel: zod's own for a union is "Invalid input".
 * An object of a known type is told what its channel's schema says (`routingKey: …`); any
 * other is told which types there are.
 */
function entryError(issue: {
  code?: string;
  input?: unknown;
  errors?: { path: PropertyKey[]; message: string }[][];
}): string | undefined {
  if (issue.code !== 'invalid_union' || typeof issue.input !== 'object' || issue.input === null)
    return issue.input === undefined || typeof issue.input === 'string'
      ? undefined
      : 'must be a URI string (stdout, a .jsonl path, an SNS topic ARN) or an object with a "type"';
  const type = (issue.input as { type?: unknown }).type;
  if (!NOTIFIERS.some((n) => n.schema && n.type === type))
    return `type must be one of ${NOTIFIERS.flatMap((n) => (n.schema ? [n.type] : [])).join(', ')}`;
  const inner = issue.errors?.find((branch) => branch.some((i) => i.path.length > 0)) ?? [];
  return inner.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ') || undefined;
}

/** The kind of channel an entry names, if any. */
export function notifierOf(entry: AlertEntry): Notifier | undefined {
  return typeof entry === 'string'
    ? NOTIFIERS.find((n) => n.accepts?.(entry))
    : NOTIFIERS.find((n) => n.schema && n.type === entry.type);
}

/** Why the entry at `index` names no channel, or undefined when it names one. */
export function alertEntryProblem(entry: AlertEntry, index: number): string | undefined {
  if (notifierOf(entry)) return undefined;
  const shown = typeof entry === 'string' ? `"${entry}"` : `type "${entry.type}"`;
  return `alerts.${index}: ${shown} is not stdout, a .jsonl file path or an SNS topic ARN`;
}

/** The channels the entries name, one sink each, in order. */
export function channelsOf(entries: readonly AlertEntry[], context: NotifierContext): AlertSink[] {
  return entries.map((entry, index) => {
    const notifier = notifierOf(entry);
    if (!notifier) throw new Error(alertEntryProblem(entry, index));
    // Parsed again, so that entries from elsewhere than a parsed config (the notifier
    // function's environment) get the same checks and defaults.
    const parsed = notifier.schema ? (notifier.schema.parse(entry) as AlertEntry) : entry;
    return notifier.create(parsed, context);
  });
}

/**
 * The channels the entries name, as one sink: each hears every notice side by side, so a
 * channel that is down delays none of the others (see FanOutAlerts for what counts as sent).
 */
export function alertSinkOf(entries: readonly AlertEntry[], context: NotifierContext): AlertSink {
  const sinks = channelsOf(entries, context);
  return sinks.length === 1 && sinks[0] ? sinks[0] : new FanOutAlerts(sinks);
}

/** Each entry in words for `config check`: where it sends and what it hears, never a secret. */
export function describeAlerts(entries: readonly AlertEntry[], baseDir: string): string[] {
  return entries.map((entry) => notifierOf(entry)?.describe(entry, { baseDir }) ?? String(entry));
}

/** The entries a deployment delivers from its notifier function (third-party HTTP services). */
export function remoteEntries(entries: readonly AlertEntry[]): AlertEntry[] {
  return entries.filter((entry) => notifierOf(entry)?.remote === true);
}

/** The secrets the entries name, in order. */
export function secretsOf(entries: readonly AlertEntry[]): SecretValue[] {
  return entries.flatMap((entry) => notifierOf(entry)?.secrets(entry) ?? []);
}
