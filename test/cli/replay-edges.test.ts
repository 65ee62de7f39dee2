import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';

let work: string;
/** A whole `.depot-watch` folder as the demo leaves it: state, archive, alerts.jsonl. */
let demoDir: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-replay-edges-'));
  demoDir = join(work, '.depot-watch');
  const demo = await cli(['demo', '--dir', demoDir, '--chargers', '2', '--quiet']);
  expect(demo.code).toBe(0);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes files into a new folder under the work folder and returns the folder. */
async function folderWith(name: string, files: Record<string, string>): Promise<string> {
  const folder = join(work, name);
  await mkdir(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(folder, file), text);
  return folder;
}

const lastLine = (text: string) => text.trim().split('\n').at(-1);

describe('depot-watch replay when nothing valid is read', () => {
  it('exits 1 and says how many files it read and that all were invalid', async () => {
    const folder = await folderWith('all-invalid', {
      'a.json': '{"sessionId": "not a report"}',
      'b.json': '[{"energySocEnd": "full"}]',
      'c.json': '{ not json',
    });
    const result = await cli(['replay', folder]);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(lastLine(result.stderr)).toBe(
      `depot-watch: no valid session reports in ${folder}: 3 files read, 3 invalid`,
    );
  });

  it('exits 1 and says no files were found in an empty folder', async () => {
    const folder = await folderWith('empty', {});
    const result = await cli(['replay', folder]);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      1,
      '',
      `depot-watch: no valid session reports in ${folder}: no report files found\n`,
    ]);
  });

  it('says the same for backtest, exit 1', async () => {
    const folder = await folderWith('empty-backtest', {});
    const result = await cli(['backtest', folder]);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      1,
      '',
      `depot-watch: no valid session reports in ${folder}: no report files found\n`,
    ]);
  });
});

describe('depot-watch replay of a whole .depot-watch folder', () => {
  it('skips the state files and the quarantine, saying how many, and complains of nothing', async () => {
    const result = await cli(['replay', demoDir]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(
      /^Replayed \d+ report\(s\) from \d+ file\(s\): 0 invalid, .*; \d+ state files skipped; \d+ quarantined reports skipped \(--include-quarantine reads them\)$/m,
    );
  });

  it('reads the quarantine with --include-quarantine: each report there is invalid again', async () => {
    const result = await cli(['replay', demoDir, '--include-quarantine']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('quarantined reports skipped');
    // Only quarantined reports are invalid: they are reports, kept because they were invalid.
    const complaints = result.stderr.split('\n').filter((line) => line !== '');
    expect(complaints.length).toBeGreaterThan(0);
    for (const line of complaints)
      expect(line).toMatch(/^invalid report in .*\/archive\/quarantine\//);
  });

  it('reads a quarantine folder it is given by name', async () => {
    const quarantine = join(demoDir, 'archive', 'quarantine');
    const result = await cli(['replay', quarantine]);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(
      new RegExp(
        `^depot-watch: no valid session reports in ${quarantine}: (\\d+) files? read, \\1 invalid$`,
      ),
    );
  });

  it('exits 1 on the state folder alone, naming the state files it skipped', async () => {
    const state = join(demoDir, 'state');
    const result = await cli(['replay', state]);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toMatch(
      new RegExp(
        `^depot-watch: no valid session reports in ${state}: no report files found \\(\\d+ state files skipped\\)\\n$`,
      ),
    );
  });
});

describe('a config without a fleet', () => {
  it('serves replay with its thresholds', async () => {
    const config = join(work, 'thresholds-only.json');
    await writeFile(
      config,
      JSON.stringify({ thresholds: { 'converter-error-counter': { warningCount: 30 } } }),
    );
    const loose = await cli(['replay', 'test/fixtures/vendor-example-page.json']);
    expect(loose.stdout).not.toContain(' 0 finding(s)');
    const result = await cli([
      'replay',
      '--config',
      config,
      'test/fixtures/vendor-example-page.json',
    ]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('1 report(s) from 1 file(s): 0 invalid, 0 finding(s)');
  });

  it('serves backtest, with an empty fleet and an override for a charger the reports name', async () => {
    const config = join(work, 'empty-fleet.json');
    await writeFile(
      config,
      JSON.stringify({
        fleet: [],
        overrides: [{ chargerId: 'HPC-001', thresholds: { 'soc-shortfall': { enabled: false } } }],
      }),
    );
    const result = await cli(['backtest', '--config', config, join(demoDir, 'archive')]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^Backtest of \d+ session\(s\)/);
  });

  it('is still refused by scan, naming the field', async () => {
    const config = join(work, 'no-fleet.json');
    await writeFile(config, JSON.stringify({ archive: './archive' }));
    const result = await cli(['scan', '--config', config]);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(
      `depot-watch: invalid config in ${config}: fleet: list at least one charger (or several depots under "depots")\n`,
    );
  });
});

describe('a path that cannot be used', () => {
  it('is named in full with what to do, never an errno code', async () => {
    const missing = await cli(['replay', 'no-such-reports'], { cwd: work });
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      2,
      '',
      `depot-watch: cannot read ${join(work, 'no-such-reports')}: no such file or folder; check the path (a relative one starts from the current folder)\n`,
    ]);
    const archive = await cli(['kpis', '--archive', join(work, 'nowhere')]);
    expect(archive.code).toBe(2);
    expect(archive.stderr).toBe(
      `depot-watch: cannot read ${join(work, 'nowhere')}: no such file or folder; check the path (a relative one starts from the current folder)\n`,
    );
  });

  it('says a report written onto a folder needs a file path', async () => {
    const result = await cli(['report', '--out', work], { cwd: work });
    expect(result.stderr).toBe(
      `depot-watch: cannot open ${work}: that is a folder, where a file was expected; give a file path\n`,
    );
    expect(result.code).not.toBe(0);
  });
});
