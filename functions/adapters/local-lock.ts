import { mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ReleaseLock } from '../scan/ports.ts';
import { createWholeSync, removeStrayTempFiles } from './local-files.ts';

/** Who holds a state folder, as written in its lock file. */
interface LockHolder {
  pid: number;
  host: string;
  runId: string;
  since: string;
}

/** What a lock file says: its holder, nothing (it went away), or something unreadable. */
type LockRead =
  | { kind: 'held'; holder: LockHolder }
  | { kind: 'gone' }
  | { kind: 'unreadable'; why: string };

/** Another run holds the state folder; the message says who, and how to clear a stale lock. */
export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
}

/**
 * How old a takeover guard may be before it counts as abandoned. Taking over a stale lock
 * takes microseconds; a guard this old was left by a process that died in the middle of it.
 */
const TAKEOVER_ABANDONED_MS = 10_000;

/**
 * Takes a state folder for one run with a lock file. Two scans on one folder would both alert
 * every new fault. The lock file appears whole or not at all (written to a temp file, then
 * hard-linked into place, which fails if a lock exists), so a lock is never seen half-written.
 *
 * A lock is stale only when it was read whole, names a holder on this host, and that process
 * is gone; a stale lock is taken over. A lock held by a live process is never stale, however
 * old (a scan without a deadline may run long); one from another host cannot be checked, and
 * one that cannot be read is never removed: the error says whose it is, or that a person must
 * look at the file.
 */
export function lockStateFolder(folder: string, runId: string): ReleaseLock {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, '.lock');
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    runId,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWholeSync(path, `${JSON.stringify(me)}\n`)) {
      // The folder's own temp files (silences, a lock's) are swept here; its subfolders' as written.
      removeStrayTempFiles(folder);
      return releaseOf(path, runId);
    }
    const read = readHolder(path);
    // Released between our attempt and our read: try again.
    if (read.kind === 'gone') continue;
    if (read.kind === 'unreadable')
      throw new StateLockedError(
        `state folder ${folder} is locked, but its lock file ${path} cannot be read (${read.why}); ` +
          `a scan may be running there: wait for it to finish, or delete ${path} if none is`,
      );
    const { holder } = read;
    if (!isStale(holder))
      throw new StateLockedError(
        `state folder ${folder} is in use by another scan (pid ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
          `wait for it to finish, or delete ${path} if no scan is running there`,
      );
    removeStale(path, holder);
  }
  throw new StateLockedError(`could not take the lock ${path}: another scan keeps taking it`);
}

function releaseOf(path: string, runId: string): ReleaseLock {
  return async () => {
    const read = readHolder(path);
    // Only our own lock is removed: a taken-over one belongs to its new holder.
    if (read.kind === 'held' && read.holder.runId === runId) unlinkSync(path);
  };
}

/**
 * Removes a stale lock, unless someone else got to it first. Two runs that both found it stale
 * must not both remove "it": the second would remove the lock the first has just taken. So the
 * removal happens under a guard (a folder: `mkdir` is atomic), after reading the lock again.
 */
function removeStale(path: string, stale: LockHolder): void {
  const guard = `${path}.takeover`;
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another run is taking it over right now; the next attempt sees what it did.
    if (ageMs(guard) > TAKEOVER_ABANDONED_MS) removeGuard(guard);
    return;
  }
  try {
    const read = readHolder(path);
    if (read.kind === 'held' && read.holder.runId === stale.runId) unlinkSync(path);
  } finally {
    removeGuard(guard);
  }
}

function removeGuard(guard: string): void {
  try {
    rmdirSync(guard);
  } catch {
    // Already removed by the run that found it abandoned too.
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readHolder(path: string): LockRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    return { kind: 'unreadable', why: (error as Error).message };
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder?.pid === 'number' && typeof holder.host === 'string')
      return { kind: 'held', holder };
  } catch {
    // Said below.
  }
  return {
    kind: 'unreadable',
    why: text.trim() === '' ? 'it is empty' : 'it is not a lock record',
  };
}

/**
 * A lock is stale when its process is gone from this host; another host's is never assumed so.
 * (A reused pid keeps a dead run's lock looking held: the error names the pid to check.)
 */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
