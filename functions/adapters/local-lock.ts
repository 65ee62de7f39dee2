import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ReleaseLock } from '../scan/ports.ts';

/** Who holds a state folder, as written in its lock file. */
interface LockHolder {
  pid: number;
  host: string;
  runId: string;
  since: string;
}

/** Another run holds the state folder; the message says who, and how to clear a stale lock. */
export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
}

/**
 * Takes a state folder for one run with a lock file created exclusively (`wx`). Two scans on
 * one folder would both alert every new fault. A lock left by a process that died on this
 * host is taken over; one from another host cannot be checked, so the error says whose it is.
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
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return async () => {
        // Only our own lock is removed: a taken-over one belongs to its new holder.
        if (readHolder(path)?.runId === runId) unlinkSync(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder && !isStale(holder)) {
      throw new StateLockedError(
        `state folder ${folder} is in use by another scan (pid ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
          `wait for it to finish, or delete ${path} if no scan is running there`,
      );
    }
    // A lock of a dead process (or an unreadable one): clear it and try once more.
    try {
      unlinkSync(path);
    } catch {
      // Someone else cleared it first; the next attempt decides.
    }
  }
  throw new StateLockedError(`could not take the lock ${path}: another scan keeps taking it`);
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** A lock is stale when its process is gone from this host; another host's is never assumed so. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
