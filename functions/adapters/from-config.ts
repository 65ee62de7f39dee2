import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ConfigError } from '../config/config.ts';
import type { AlertEntry, NotifierContext } from '../notifiers/notifier.ts';
import { alertEntryProblem, alertSinkOf } from '../notifiers/registry.ts';
import type { AlertSink, ReportArchive, SilenceStore, StateStore } from '../scan/ports.ts';
import { s3ArchiveAt, s3StateAt } from './aws-adapters.ts';
import { s3Client } from './aws-clients.ts';
import { LocalArchive } from './local-archive.ts';
import { LocalState } from './local-state.ts';
import { readSecretText } from './secret-text.ts';

/** Options for turning config URIs into adapters. */
export interface AdapterOptions {
  /** Relative folder paths are resolved against this (the config file's folder). */
  baseDir: string;
  /** Where `stdout` alerts are written. Default: process.stdout. */
  write?: (text: string) => void;
  /** AWS clients to use instead of the process-wide ones. */
  s3?: S3Client;
  sns?: SNSClient;
  /** The depot whose archive partition to write, in a config of several. Default: none. */
  depot?: string;
  /** What remote channels are built with besides the above (a config name for links, tests' waits). */
  notifiers?: Partial<NotifierContext>;
}

/** The archive a config names: `s3://bucket/prefix` or a folder path. */
export function archiveFrom(uri: string, options: AdapterOptions): ReportArchive {
  if (uri.startsWith('s3://')) return s3ArchiveAt(uri, options.s3 ?? s3Client(), options.depot);
  return new LocalArchive(resolve(options.baseDir, uri), options.depot);
}

/** The cursor and ledger store a config names: `s3://bucket/prefix` or a folder path. */
export function stateFrom(uri: string, options: AdapterOptions): StateStore & SilenceStore {
  if (uri.startsWith('s3://')) return s3StateAt(uri, options.s3 ?? s3Client());
  return new LocalState(resolve(options.baseDir, uri));
}

/**
 * The alert channels a config names (the registry in functions/notifiers/ lists the kinds:
 * `stdout`, `*.jsonl` files, SNS topic ARNs, PagerDuty, Opsgenie, Teams, Slack, webhooks), as
 * one sink. Remote channels read secrets given by reference from the environment or, with the
 * caller's AWS credentials, from Secrets Manager.
 */
export function alertsFrom(
  entries: readonly AlertEntry[],
  archiveLocation: string,
  options: AdapterOptions,
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
