import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

const PAGE = 'test/fixtures/vendor-example-page.json';
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-quiet-'));
  // A demo depot to replay, backtest and report on.
  const demo = await cli(['demo', '--quiet'], { cwd: work });
  expect(demo.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('--quiet on the commands that read saved reports', () => {
  it('replay prints the findings and no tally', async () => {
    const loud = await cli(['replay', PAGE]);
    const quiet = await cli(['replay', '--quiet', PAGE]);
    expect([loud.code, quiet.code]).toEqual([0, 0]);
    expect(loud.stdout).toContain('Replayed ');
    expect(quiet.stdout).not.toContain('Replayed ');
    // The same findings, without the table that ends the loud output.
    expect(quiet.stdout.length).toBeGreaterThan(0);
    expect(loud.stdout.startsWith(quiet.stdout)).toBe(true);
    expect(quiet.stderr).toBe('');
  });

  it('backtest prints the notices and nothing else', async () => {
    const archive = join(work, '.depot-watch/archive');
    const loud = await cli(['backtest', archive]);
    const quiet = await cli(['backtest', '--quiet', archive]);
    expect([loud.code, quiet.code]).toEqual([0, 0]);
    expect(loud.stdout).toMatch(/^Backtest of /);
    expect(loud.stdout).toContain('Notices / findings per rule and week:');
    const notices = quiet.stdout.trim().split('\n');
    expect(notices.length).toBeGreaterThan(0);
    // Every line is a notice of the timeline, each also in the loud output.
    for (const line of notices) {
      expect(line).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} /);
      expect(loud.stdout).toContain(line);
    }
    expect(quiet.stderr).toBe('');
  });

  it('report writes the file and prints nothing', async () => {
    const out = join(work, 'quiet-report.html');
    const result = await cli(['report', '--quiet', '--out', out], { cwd: work });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(out)).toBe(true);
  });
});
