import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { decodeKeySegment } from '../core/archive-layout.ts';
import { s3Client } from './aws-clients.ts';
import { parseS3Uri } from './s3-location.ts';

/** One depot's state store as the read side finds it: its name and where its records are. */
export interface DepotState {
  /** The depot's name; undefined for the state of one fleet, which has no `depot=` folder. */
  depot?: string;
  /** A folder (absolute) or `s3://` URI holding the depot's cursors, incidents and KPI rows. */
  location: string;
}

const PARTITION = /^depot=([^/\\]+)$/;

/**
 * The state stores under a state location: the location itself (a fleet's, or what a
 * several-depot config keeps there) and every `depot=<name>` folder in it, by name.
 *
 * Read from what is stored rather than from a config: `kpis`, `report` and the report function
 * are given a state location only, the demo's folders have no config file, and a depot since
 * taken out of the config still has history worth reading. A location that is not there holds
 * only itself (which then reads as empty).
 */
export async function depotStatesUnder(
  location: string,
  baseDir: string,
  s3?: S3Client,
): Promise<DepotState[]> {
  const root = location.startsWith('s3://') ? location : resolve(baseDir, location);
  const names = root.startsWith('s3://')
    ? await s3Partitions(root, s3 ?? s3Client())
    : await folderPartitions(root);
  const separator = root.endsWith('/') ? '' : '/';
  return [
    { location: root },
    ...names
      .sort((a, b) => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0))
      .map(({ depot, segment }) => ({ depot, location: `${root}${separator}depot=${segment}` })),
  ];
}

interface Partition {
  depot: string;
  /** The folder name's encoded part, as stored; the location is built from it, not the name. */
  segment: string;
}

async function folderPartitions(folder: string): Promise<Partition[]> {
  // A folder not there yet holds no depot; one that cannot be read is an error, never "none".
  const entries = await readdir(folder, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
      throw error;
    },
  );
  return entries.flatMap((entry) => (entry.isDirectory() ? partitionOf(entry.name) : []));
}

async function s3Partitions(uri: string, s3: S3Client): Promise<Partition[]> {
  const { bucket, prefix: under } = parseS3Uri(uri, 'state');
  const names = new Set<string>();
  // A page, then on past every key of the page's last depot: `depot=<x>0` sorts right after
  // all of `depot=<x>/…` (no character lies between '/' and '0'). A depot's thousands of
  // cursors and incident records cost one page, not one page per thousand keys.
  // Starting after the prefix itself: an object named just `depot=` is no depot either.
  let after = `${under}depot=`;
  for (;;) {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${under}depot=`, StartAfter: after }),
    );
    let last: string | undefined;
    for (const { Key: key } of page.Contents ?? []) {
      if (key === undefined) continue;
      const [name = '', ...rest] = key.slice(under.length).split('/');
      // An object named like a partition, not in one, is nothing of a depot's.
      if (rest.length > 0) names.add(name);
      last = rest.length > 0 ? `${under}${name}0` : key;
    }
    if (!page.IsTruncated || last === undefined) break;
    after = last;
  }
  return [...names].flatMap(partitionOf);
}

function partitionOf(name: string): Partition[] {
  const segment = PARTITION.exec(name)?.[1];
  if (segment === undefined) return [];
  try {
    return [{ depot: decodeKeySegment(segment), segment }];
  } catch {
    // Not a folder the scan made (a stray `%`): nothing of a depot's to read there.
    return [];
  }
}
