import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { TextPieces } from '../scan/ports.ts';

/** What a file is written from: text, or pieces of text or of its UTF-8 bytes. */
type FileContent = TextPieces | (() => Iterable<string | Uint8Array>);

// These run synchronously on purpose. Each file is a few kilobytes landing in the page cache:
// the work takes microseconds, while the async versions cost several thread-pool round trips
// per file (open, write, close, link, unlink) and queue behind each other when many
// connectors archive at once. Measured in the scan throughput benchmark.

/**
 * Writes a file only if it does not exist yet, atomically: the content goes to a temp file
 * that is then hard-linked into place, so a crash never leaves a half-written report that a
 * later run would take for archived. Returns false when the file was already there.
 */
export async function createFileOnce(path: string, content: FileContent): Promise<boolean> {
  return createWholeSync(path, content);
}

/**
 * `createFileOnce`, for callers that must not yield in between (the state lock). `content` may
 * come in pieces, written one after another, so a large file is never one string.
 */
export function createWholeSync(path: string, content: FileContent): boolean {
  const temp = `${path}.${randomUUID()}.tmp`;
  writeInto(temp, content);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** Replaces a file atomically (temp file, then rename); `content` as for `createWholeSync`. */
export async function replaceFile(path: string, content: FileContent): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  writeInto(temp, content);
  renameSync(temp, path);
}

const madeFolders = new Set<string>();
/**
 * Folders remembered at most: a large depot's reports land in a folder per connector, and
 * forgetting one costs a mkdir, not a byte per connector held for the process's life.
 */
const FOLDERS_REMEMBERED = 1_024;

/**
 * Writes a file, creating its folder the first time this process writes there, and then
 * clearing it of stray temp files. Thousands of reports land in a few hundred folders: one
 * mkdir and one listing per folder, not per file.
 */
function writeInto(path: string, content: FileContent): void {
  const folder = dirname(path);
  if (!madeFolders.has(folder)) {
    mkdirSync(folder, { recursive: true });
    removeStrayTempFiles(folder);
    if (madeFolders.size >= FOLDERS_REMEMBERED) madeFolders.clear();
    madeFolders.add(folder);
  }
  try {
    writeWhole(path, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // The folder went away under us (someone cleaned up): make it again, once.
    mkdirSync(folder, { recursive: true });
    writeWhole(path, content);
  }
}

function writeWhole(path: string, content: FileContent): void {
  if (typeof content === 'string') {
    writeFileSync(path, content);
    return;
  }
  const fd = openSync(path, 'w');
  try {
    for (const piece of content())
      if (typeof piece === 'string') writeSync(fd, piece);
      else writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses a JSON file, or undefined when it does not exist. */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * How old a temp file must be before it counts as stray. A write holds its temp file for
 * microseconds (write, link or rename, unlink); one this old belongs to a process that died.
 */
export const STRAY_TEMP_AGE_MS = 5 * 60_000;

const TEMP_FILE = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files (`<name>.<uuid>.tmp`) a crashed write left in `folder`, if older than
 * `STRAY_TEMP_AGE_MS`: a younger one may be another run's write in progress. Called when a run
 * first writes into a folder, which is enough: a crash leaves its temp file beside a report or
 * state file not yet in place, and the next run writes that folder again (the cursor did not
 * move past the window). Best effort: a file it cannot list or remove is left for the next run.
 */
export function removeStrayTempFiles(folder: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!TEMP_FILE.test(name)) continue;
    const path = join(folder, name);
    try {
      if (now - statSync(path).mtimeMs > STRAY_TEMP_AGE_MS) unlinkSync(path);
    } catch {
      // Gone already (its writer finished, or another run removed it).
    }
  }
}
