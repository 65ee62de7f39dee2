import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ConfigError } from '../config/config.ts';
import type { AlertSink, ReportArchive, SilenceStore, StateStore } from '../scan/ports.ts';
import { isSnsTopicArn, s3ArchiveAt, s3StateAt, snsAlertsTo } from './aws-adapters.ts';
import { regionOfArn, s3Client, snsClient } from './aws-clients.ts';
import { ConsoleAlerts, FanOutAlerts, JsonlAlerts } from './local-alerts.ts';
import { LocalArchive } from './local-archive.ts';
import { LocalState } from './local-state.ts';

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

/** The alert sinks a config names: `stdout`, `*.jsonl` files, SNS topic ARNs. */
export function alertsFrom(
  uris: readonly string[],
  archiveLocation: string,
  options: AdapterOptions,
): AlertSink {
  const sinks = uris.map((uri, index): AlertSink => {
    if (uri === 'stdout') return new ConsoleAlerts(options.write);
    if (uri.endsWith('.jsonl')) return new JsonlAlerts(resolve(options.baseDir, uri));
    if (isSnsTopicArn(uri))
      return snsAlertsTo(uri, archiveLocation, options.sns ?? snsClient(regionOfArn(uri)));
    throw new ConfigError(
      `alerts.${index}: "${uri}" is not stdout, a .jsonl file path or an SNS topic ARN`,
    );
  });
  return sinks.length === 1 && sinks[0] ? sinks[0] : new FanOutAlerts(sinks);
}
