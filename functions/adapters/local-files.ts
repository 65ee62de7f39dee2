import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// These run synchronously on purpose. Each file is a few kilobytes landing in the page cache:
// the work takes microseconds, while the async versions cost several thread-pool round trips
// per file (open, write, close, link, unlink) and queue behind each other when many
// connectors archive at once. Measured in the scan throughput benchmark.

/**
 * Writes a file only if it does not exist yet, atomically: the content goes to a temp file
 * that is then hard-linked into place, so a crash never leaves a half-written report that a
 * later run would take for archived. Returns false when the file was already there.
 */
export async function createFileOnce(path: string, content: string): Promise<boolean> {
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

/** Replaces a file atomically (temp file, then rename). */
export async function replaceFile(path: string, content: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  writeInto(temp, content);
  renameSync(temp, path);
}

const madeFolders = new Set<string>();

/**
 * Writes a file, creating its folder the first time this process writes there. Thousands of
 * reports land in a few hundred folders: one mkdir per folder, not per file.
 */
function writeInto(path: string, content: string): void {
  const folder = dirname(path);
  if (!madeFolders.has(folder)) {
    mkdirSync(folder, { recursive: true });
    madeFolders.add(folder);
  }
  try {
    writeFileSync(path, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // The folder went away under us (someone cleaned up): make it again, once.
    mkdirSync(folder, { recursive: true });
    writeFileSync(path, content);
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
