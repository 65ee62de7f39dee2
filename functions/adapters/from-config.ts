import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ReportArchive, SilenceStore, StateStore } from '../scan/ports.ts';
import { s3ArchiveAt, s3StateAt } from './aws-adapters.ts';
import { s3Client } from './aws-clients.ts';
import { LocalArchive } from './local-archive.ts';
import { LocalState } from './local-state.ts';

/** Options for turning config URIs into adapters. */
export interface AdapterOptions {
  /** Relative folder paths are resolved against this (the config file's folder). */
  baseDir: string;
  /** AWS clients to use instead of the process-wide ones. */
  s3?: S3Client;
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
