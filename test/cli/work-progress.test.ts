import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

let work: string;
let archive: string;
/** How many report files the demo archived: the oracle for the counts progress shows. */
let archivedFiles: number;
/** A progress line every millisecond: every command here writes some. */
const OFTEN = { DEPOT_WATCH_PROGRESS_SECONDS: '0.001' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-work-progress-'));
  const demo = await cli(['demo', '--quiet'], { cwd: work });
  expect(demo.code).toBe(0);
  archive = join(work, '.depot-watch/archive');
  const entries = await readdir(join(archive, 'reports'), { recursive: true });
  archivedFiles = entries.filter((e) => e.endsWith('.json')).length;
}, 180_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('progress of the commands that read saved reports', () => {
  it('replay counts the files and reports it has read, and ends with the whole count', async () => {
    const result = await cli(['replay', join(archive, 'reports')], { env: OFTEN });
    expect(result.code).toBe(0);
    const progress = lines(result.stderr).filter((l) => l.startsWith('replay'));
    expect(progress.some((l) => /^replay: reading: [\d,]+ files, [\d,]+ reports, /.test(l))).toBe(
      true,
    );
    // The final count is the demo's own archive: one report per file.
    const count = archivedFiles.toLocaleString('en-US');
    expect(progress.at(-1)).toMatch(
      new RegExp(`^replay finished: ${count} files, ${count} reports in `),
    );
    // The tally on stdout says the same number.
    expect(result.stdout).toContain(
      `Replayed ${archivedFiles} report(s) from ${archivedFiles} file(s)`,
    );
  });

  it('backtest says when it moves from reading to the incident engine, before its notices', async () => {
    const result = await cli(['backtest', join(archive, 'reports')], { env: OFTEN });
    expect(result.code).toBe(0);
    const sessions = Number(/^Backtest of (\d+) session/.exec(result.stdout)?.[1]);
    expect(sessions).toBeGreaterThan(0);
    const files = archivedFiles.toLocaleString('en-US');
    const engine = lines(result.stderr).find((l) => l.startsWith('backtest: running'));
    expect(engine).toMatch(
      new RegExp(
        `^backtest: running the incident engine over ${sessions.toLocaleString('en-US')} sessions: ${files} files, ${files} reports, `,
      ),
    );
  });

  it('report names each step it is on', async () => {
    const result = await cli(['report', '--out', join(work, 'week.html')], {
      cwd: work,
      env: OFTEN,
    });
    expect(result.code).toBe(0);
    const steps = lines(result.stderr).map((l) => l.replace(/, [\d.]+ (s|min \d+ s)$/, ''));
    expect(steps).toContain('report: reading KPI rows, incidents and notices');
    expect(steps).toContain('report: drawing the charts');
    expect(steps.at(-1)).toMatch(/^report finished: done in /);
  });

  it('stays silent off a terminal for work shorter than one progress interval', async () => {
    const result = await cli(['replay', 'test/fixtures/vendor-example-page.json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('one line for a folder that cannot be used', () => {
  it('demo into a path under a file fails before simulating anything, in one line', async () => {
    const file = join(work, 'a-file');
    await writeFile(file, 'x');
    const result = await cli(['demo', '--dir', join(file, 'demo')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([
      `depot-watch: cannot write ${join(file, 'demo')}: part of the path is a file, where a folder was expected; check the path`,
    ]);
  });

  it('incidents without any state or archive is an error, not "0 incidents"', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'depot-watch-no-state-'));
    try {
      const result = await cli(['incidents', '--dir', empty]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toEqual([
        `depot-watch: no state at ${join(empty, 'state')} and no archive at ${join(empty, 'archive')}; run a scan first (or give --config)`,
      ]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('incidents on a state that cannot be read names it, instead of listing nothing', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'depot-watch-broken-state-'));
    try {
      // A file where the incidents folder should be: unreadable whoever runs the command (even root).
      await mkdir(join(broken, 'state'));
      await writeFile(join(broken, 'state', 'incidents'), 'not a folder');
      const result = await cli(['incidents', '--dir', broken]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toEqual([
        `depot-watch: cannot read ${join(broken, 'state', 'incidents')}: part of the path is a file, where a folder was expected; check the path`,
      ]);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});

describe('output into a pipe closed early', () => {
  it('replay | head -1 ends quietly, with no stack trace', async () => {
    // Several copies of the archive: far more findings than a pipe buffers, so the writes after
    // head has gone fail with EPIPE.
    const reports = join(archive, 'reports');
    const { stdout, stderr } = await promisify(execFile)('sh', [
      '-c',
      `node ${resolve('bin/depot-watch.mjs')} replay --json ${Array(8).fill(reports).join(' ')} | head -1`,
    ]);
    expect(lines(stdout)).toHaveLength(1);
    expect(JSON.parse(stdout)).toHaveProperty('rule');
    expect(stderr).toBe('');
  });
});
