import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { s3Client } from '../adapters/aws-clients.ts';
import { S3Listing } from '../adapters/s3-listing.ts';
import { parseS3Uri } from '../adapters/s3-location.ts';
import { ConfigError } from '../config/config.ts';

/** A saved JSON document: where it is, and how to read it. */
export interface SavedDocument {
  name: string;
  read: () => Promise<string>;
}

/**
 * Every `.json` document under the given files, folders and `s3://bucket/prefix` URIs,
 * skipping the reason files beside quarantined reports.
 */
export async function* savedDocuments(paths: readonly string[]): AsyncGenerator<SavedDocument> {
  for (const path of paths) {
    if (path.startsWith('s3://')) {
      yield* s3Documents(path);
      continue;
    }
    for (const file of await jsonFilesIn(path))
      yield { name: file, read: () => readFile(file, 'utf8') };
  }
}

async function* s3Documents(uri: string): AsyncGenerator<SavedDocument> {
  const { bucket, prefix } = parseS3Uri(uri, 'replay');
  const objects = new S3Listing(s3Client(), bucket);
  for await (const key of objects.keys(prefix)) {
    if (isReportFile(key))
      yield { name: `s3://${bucket}/${key}`, read: () => objects.readText(key) };
  }
}

/** Every `.json` file under a file or folder, sorted. */
async function jsonFilesIn(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw new ConfigError(`cannot read ${path}: no such file or folder`);
  });
  if (info.isFile()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isReportFile(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function isReportFile(name: string): boolean {
  return name.endsWith('.json') && !name.endsWith('.reason.json');
}
