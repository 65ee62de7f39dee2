import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockStateFolder, StateLockedError } from '../../functions/adapters/local-lock.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-local-lock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('a lock file that cannot be read', () => {
  // What another run's lock looks like to a reader while it is still being written.
  it.each([
    ['empty', ''],
    ['partly written', `{"pid":${process.pid},"host":"${hostname()}","ru`],
  ])('is left in place when %s, and the run is refused saying so', async (_, content) => {
    await mkdir(dir, { recursive: true });
    const lockPath = join(dir, '.lock');
    await writeFile(lockPath, content);
    expect(() => lockStateFolder(dir, 'next')).toThrow(StateLockedError);
    expect(() => lockStateFolder(dir, 'next')).toThrow(
      /cannot be read .*delete .*\.lock if none is/,
    );
    expect(await readFile(lockPath, 'utf8')).toBe(content);
  });
});

describe('a lock file', () => {
  it('is never seen half-written: it holds the whole holder record as soon as it exists', async () => {
    const release = lockStateFolder(dir, 'mine');
    const holder = JSON.parse(await readFile(join(dir, '.lock'), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), runId: 'mine' });
    await release();
    await expect(readFile(join(dir, '.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is taken by exactly one of two processes that reach it at the same instant', async () => {
    const tries = 300;
    const stepMs = 10;
    // Both racers load first, then spin to the same instants.
    const startAt = Date.now() + 3_000;
    const race = () =>
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        resolve('test/helpers/lock-racer.ts'),
        dir,
        String(startAt),
        String(tries),
        String(stepMs),
      ]);
    const [a, b] = await Promise.all([race(), race()]);
    const wonA = new Set<number>(JSON.parse(a.stdout));
    const wonB = new Set<number>(JSON.parse(b.stdout));
    const both = [...wonA].filter((i) => wonB.has(i));
    const neither = Array.from({ length: tries }, (_, i) => i).filter(
      (i) => !wonA.has(i) && !wonB.has(i),
    );
    expect({ both, neither }).toEqual({ both: [], neither: [] });
  });
});
