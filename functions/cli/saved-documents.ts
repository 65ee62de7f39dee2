import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { s3Client } from '../adapters/aws-clients.ts';
import { S3Listing } from '../adapters/s3-listing.ts';
import { parseS3Uri } from '../adapters/s3-location.ts';
import { ConfigError } from '../config/config.ts';
import { pathErrorSentence } from './load-config.ts';

/** A saved JSON document: where it is, and how to read it. */
export interface SavedDocument {
  name: string;
  read: () => Promise<string>;
}

/** Why a saved document was left out: a scan's state file, or a report the scan quarantined. */
export type SkipReason = 'state' | 'quarantine';

/** Hears each document left out, and why. */
export type OnSkip = (name: string, why: SkipReason) => void;

/**
 * Every `.json` document under the given files, folders and `s3://bucket/prefix` URIs,
 * skipping the reason files beside quarantined reports and the scan's own state files (so a
 * whole `.depot-watch` folder can be given); with `skipQuarantine`, the quarantine found below
 * a folder as well (a quarantine folder given by name is read). `onSkip` hears each one.
 */
export async function* savedDocuments(
  paths: readonly string[],
  onSkip: OnSkip = () => {},
  options: { skipQuarantine?: boolean } = {},
): AsyncGenerator<SavedDocument> {
  const skipped = (key: string, below: string) =>
    skipReason(key, below, options.skipQuarantine === true);
  for (const path of paths) {
    if (path.startsWith('s3://')) {
      yield* s3Documents(path, skipped, onSkip);
      continue;
    }
    for (const file of await jsonFilesIn(path, skipped, onSkip))
      yield {
        name: file,
        read: () =>
          readFile(file, 'utf8').catch((error: unknown) => {
            throw new ConfigError(pathErrorSentence(error, file) ?? String(error));
          }),
      };
  }
}

async function* s3Documents(
  uri: string,
  skipped: (key: string, below: string) => SkipReason | undefined,
  onSkip: OnSkip,
): AsyncGenerator<SavedDocument> {
  const { bucket, prefix } = parseS3Uri(uri, 'replay');
  const objects = new S3Listing(s3Client(), bucket);
  for await (const key of objects.keys(prefix)) {
    if (!isReportFile(key)) continue;
    const name = `s3://${bucket}/${key}`;
    const why = skipped(key, key.slice(prefix.length));
    if (why) onSkip(name, why);
    else yield { name, read: () => objects.readText(key) };
  }
}

/** Every `.json` file under a file or folder, sorted, those skipped left out. */
async function jsonFilesIn(
  path: string,
  skipped: (key: string, below: string) => SkipReason | undefined,
  onSkip: OnSkip,
): Promise<string[]> {
  const info = await stat(path).catch((error: unknown) => {
    throw new ConfigError(pathErrorSentence(error, path) ?? `cannot read ${path}: ${error}`);
  });
  if (info.isFile()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(
    (error: unknown) => {
      throw new ConfigError(pathErrorSentence(error) ?? `cannot read ${path}: ${error}`);
    },
  );
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !isReportFile(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const why = skipped(file.split(sep).join('/'), relative(path, file).split(sep).join('/'));
    if (why) onSkip(file, why);
    else files.push(file);
  }
  return files.sort();
}

function isReportFile(name: string): boolean {
  return name.endsWith('.json') && !name.endsWith('.reason.json');
}

/**
 * Whether a file path or key is one of the scan's state files rather than a report:
 * a connector's cursor or incident record (`cursors|incidents/charger=…/connector=….json`,
 * where reports sit in `connector=…/` folders), the fleet's record, stored silences, and the
 * state document (`state.json`, or a local version `state/000000000042.json`). KPI rows and the
 * incident history are `.jsonl`, never read as reports.
 */
export function isStateFile(key: string): boolean {
  const parts = key.split('/');
  const [name = '', folder = '', kind = ''] = [...parts].reverse();
  if (name === 'state.json' || (folder === 'state' && /^\d{12}\.json$/.test(name))) return true;
  if (name.startsWith('connector=') && folder.startsWith('charger='))
    return kind === 'cursors' || kind === 'incidents';
  return (folder === 'fleet' && name === 'attribution.json') || name === 'silences.json';
}

/**
 * Why a document is left out, if it is: a state file, known by its own folders wherever it is;
 * a quarantined report, only below the folder or prefix given, so one named is read.
 */
function skipReason(key: string, below: string, skipQuarantine: boolean): SkipReason | undefined {
  if (isStateFile(key)) return 'state';
  return skipQuarantine && isQuarantined(below) ? 'quarantine' : undefined;
}

/**
 * Whether a path below the folder given is in an archive's quarantine
 * (`quarantine/charger=…/…` or `quarantine/depot=…/…`): reports the scan already found invalid.
 */
function isQuarantined(relativePath: string): boolean {
  const parts = relativePath.split('/');
  return parts.some(
    (part, i) => part === 'quarantine' && /^(charger|depot)=/.test(parts[i + 1] ?? ''),
  );
}

/** What was read from saved documents, for the line that says why nothing could be used. */
export interface ReadCount {
  files: number;
  invalid: number;
  stateFiles: number;
  /** Quarantined reports left out (replay, without --include-quarantine). */
  quarantined?: number;
}

/**
 * The one line that says why no valid report came out of the given paths: no report files at
 * all, or how many were read and how many of them were invalid.
 */
export function noValidReports(paths: readonly string[], read: ReadCount): string {
  const left = skippedFiles(read);
  const skipped = left ? ` (${left})` : '';
  const what =
    read.files === 0
      ? `no report files found${skipped}`
      : `${plural(read.files, 'file')} read, ${read.invalid} invalid${skipped}`;
  return `no valid session reports in ${paths.join(', ')}: ${what}`;
}

/** The files left out, said in a few words: "3 state files skipped; 2 quarantined …". */
export function skippedFiles(read: ReadCount): string {
  return [
    ...(read.stateFiles > 0 ? [`${plural(read.stateFiles, 'state file')} skipped`] : []),
    ...(read.quarantined
      ? [
          `${plural(read.quarantined, 'quarantined report')} skipped (--include-quarantine reads them)`,
        ]
      : []),
  ].join('; ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
