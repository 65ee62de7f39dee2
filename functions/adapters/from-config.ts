import { resolve } from 'node:path';
import { ConfigError } from '../config/config.ts';
import type { AlertSink, ReportArchive, ScanState } from '../scan/ports.ts';
import { ConsoleAlerts, FanOutAlerts, JsonlAlerts } from './local-alerts.ts';
import { LocalArchive } from './local-archive.ts';
import { LocalState } from './local-state.ts';

/** Options for turning config URIs into adapters. */
export interface AdapterOptions {
  /** Relative folder paths are resolved against this (the config file's folder). */
  baseDir: string;
  /** Where `stdout` alerts are written. Default: process.stdout. */
  write?: (text: string) => void;
}

/** The archive a config names: a folder path (S3 comes with the AWS adapters). */
export function archiveFrom(uri: string, options: AdapterOptions): ReportArchive {
  rejectCloud(uri, 'archive');
  return new LocalArchive(resolve(options.baseDir, uri));
}

/** The cursor and ledger store a config names. */
export function stateFrom(uri: string, options: AdapterOptions): ScanState {
  rejectCloud(uri, 'state');
  return new LocalState(resolve(options.baseDir, uri));
}

/** The alert sinks a config names: `stdout`, `*.jsonl` files. */
export function alertsFrom(uris: readonly string[], options: AdapterOptions): AlertSink {
  const sinks = uris.map((uri, index): AlertSink => {
    if (uri === 'stdout') return new ConsoleAlerts(options.write);
    if (uri.endsWith('.jsonl')) return new JsonlAlerts(resolve(options.baseDir, uri));
    rejectCloud(uri, `alerts.${index}`);
    throw new ConfigError(
      `alerts.${index}: "${uri}" is not stdout, a .jsonl file path or an SNS topic ARN`,
    );
  });
  return sinks.length === 1 && sinks[0] ? sinks[0] : new FanOutAlerts(sinks);
}

function rejectCloud(uri: string, field: string): void {
  if (uri.startsWith('s3://') || uri.startsWith('arn:aws:sns:')) {
    throw new ConfigError(
      `${field}: "${uri}" needs the AWS adapters, which this build does not include yet; use a local path`,
    );
  }
}
