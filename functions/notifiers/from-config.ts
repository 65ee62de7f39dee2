import type { SNSClient } from '@aws-sdk/client-sns';
import type { AdapterOptions } from '../adapters/from-config.ts';
import { readSecretText } from '../adapters/secret-text.ts';
import { ConfigError } from '../config/config.ts';
import type { AlertSink } from '../scan/ports.ts';
import type { AlertEntry, NotifierContext } from './notifier.ts';
import { alertEntryProblem, alertSinkOf } from './registry.ts';

/** Options for turning a config's `alerts` into one sink: the adapters' options, and more. */
export interface AlertOptions extends AdapterOptions {
  /** Where `stdout` alerts are written. Default: process.stdout. */
  write?: (text: string) => void;
  sns?: SNSClient;
  /** What remote channels are built with besides the above (a config name for links, tests' waits). */
  notifiers?: Partial<NotifierContext>;
}

/**
 * The alert channels a config names (the registry lists the kinds:
 * `stdout`, `*.jsonl` files, SNS topic ARNs, PagerDuty, Opsgenie, Teams, Slack, webhooks), as
 * one sink. Remote channels read secrets given by reference from the environment or, with the
 * caller's AWS credentials, from Secrets Manager.
 */
export function alertsFrom(
  entries: readonly AlertEntry[],
  archiveLocation: string,
  options: AlertOptions,
): AlertSink {
  entries.forEach((entry, index) => {
    const problem = alertEntryProblem(entry, index);
    if (problem) throw new ConfigError(problem);
  });
  return alertSinkOf(entries, {
    archiveLocation,
    baseDir: options.baseDir,
    ...(options.write ? { write: options.write } : {}),
    ...(options.sns ? { sns: () => options.sns as SNSClient } : {}),
    secrets: { env: process.env, readSecret: readSecretText },
    ...(options.notifiers ?? {}),
  });
}
