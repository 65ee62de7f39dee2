import type { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import type { Fetch } from '../http/http.ts';
import type { Sleep } from '../http/retry.ts';
import type { AlertSink } from '../scan/ports.ts';
import type { DeliveryPolicy } from './http-delivery.ts';
import type { SecretSources, SecretValue } from './secret-value.ts';

/** One entry of the config's `alerts`: a URI string, or an object naming its channel's `type`. */
export type AlertEntry = string | ({ type: string } & Record<string, unknown>);

/** What every channel is built with: where the reports are, and how to reach the world. */
export interface NotifierContext {
  /** Where the archive is (`s3://bucket/prefix` or a folder), for links to the cited reports. */
  archiveLocation: string;
  /** Relative paths in the config are resolved against this (the config file's folder). */
  baseDir: string;
  /** Where `stdout` alerts are written. Default: process.stdout. */
  write?: (text: string) => void;
  /** The SNS client for a topic's region. Default: the process-wide one. */
  sns?: (region: string | undefined) => SNSClient;
  /** How channels read secrets given by reference. */
  secrets: SecretSources;
  /** Injected for tests; default: the global fetch and real waits. */
  fetch?: Fetch;
  sleep?: Sleep;
  /** Retries and time limits of webhook deliveries. Default: DEFAULT_DELIVERY_POLICY. */
  delivery?: DeliveryPolicy;
  /** The config file a person runs `depot-watch incidents --config` with. Default: none. */
  configName?: string;
  /** The AWS region of the archive bucket, for console links. Default: none (the console finds it). */
  region?: string;
}

/**
 * One kind of alert channel: how it is written in the config, how `config check` describes it,
 * which secrets it reads, and how it becomes an AlertSink. Modelled on Alertmanager's
 * notify/<receiver>/ packages behind one Notifier interface: each kind lives in its own folder
 * under functions/notifiers/ and is listed once in registry.ts, which everything else reads.
 */
export interface NotifierDefinition<E extends AlertEntry> {
  /** The `type` of an object entry (`pagerduty`), or the name of a URI kind (`stdout`). */
  type: string;
  /** One line for `config check` and the docs: what the channel is. */
  summary: string;
  /**
   * Whether a deployment delivers it from the notifier function subscribed to the alert topic
   * (a third-party HTTP service), rather than from the scan itself.
   */
  remote: boolean;
  /** An object entry's schema, `{ "type": "<type>", … }`; absent for a URI kind. */
  schema?: z.ZodMiniType<E>;
  /** A URI kind: whether the string names this kind of channel. */
  accepts?: (uri: string) => boolean;
  /** The entry for `config check`: where it goes and what it hears, never a secret. */
  describe(entry: E, context: Pick<NotifierContext, 'baseDir'>): string;
  /** The secrets the entry names, which a deployment must let the notifier function read. */
  secrets?(entry: E): SecretValue[];
  /**
   * The channel as an alert sink. `publish` never throws for a bad channel: each notice is
   * accepted (delivered, or not routed here) or failed with a reason that names no secret.
   */
  create(entry: E, context: NotifierContext): AlertSink;
}

/** A definition with its entry type erased, as the registry lists it. */
export interface Notifier {
  type: string;
  summary: string;
  remote: boolean;
  schema?: z.ZodMiniType<unknown>;
  accepts?: (uri: string) => boolean;
  describe(entry: AlertEntry, context: Pick<NotifierContext, 'baseDir'>): string;
  secrets(entry: AlertEntry): SecretValue[];
  create(entry: AlertEntry, context: NotifierContext): AlertSink;
}

/**
 * Erases a definition's entry type for the registry. The registry hands each definition only
 * entries it accepted (by `type`, or by `accepts` for a URI), so the casts hold.
 */
export function defineNotifier<E extends AlertEntry>(definition: NotifierDefinition<E>): Notifier {
  return {
    type: definition.type,
    summary: definition.summary,
    remote: definition.remote,
    // The summary describes the entry in the config reference and the JSON Schema.
    ...(definition.schema
      ? {
          schema: definition.schema.check(z.describe(definition.summary)) as z.ZodMiniType<unknown>,
        }
      : {}),
    ...(definition.accepts ? { accepts: definition.accepts } : {}),
    describe: (entry, context) => definition.describe(entry as E, context),
    secrets: (entry) => definition.secrets?.(entry as E) ?? [],
    create: (entry, context) => definition.create(entry as E, context),
  };
}
