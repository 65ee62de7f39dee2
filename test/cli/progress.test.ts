import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { startSimulator } from '../helpers/simulator.ts';

const credentials = {
  DEPOT_WATCH_CLIENT_ID: 'demo-client',
  DEPOT_WATCH_CLIENT_SECRET: 'demo-secret',
};
const PROGRESS = /^scan: \d+\/3 connectors/;
const FINAL = /^scan finished: 3\/3 connectors/;

let work: string;
let sim: DepotSimulator;
let runs = 0;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-progress-'));
  sim = await startSimulator({ fleet: { chargers: 2, anomalyEvery: 2 } });
});
afterEach(() => {
  sim.clearFaults();
});
afterAll(async () => {
  await sim.stop();
  await rm(work, { recursive: true, force: true });
});

/** A config of three connectors with its own fresh state, so every run opens its incidents. */
async function freshConfig(scan: Record<string, number> = {}): Promise<string> {
  const name = `depot-${++runs}`;
  const path = join(work, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      fleet: [
        { chargerId: 'HPC-001', connectors: ['1', '2'] },
        { chargerId: 'HPC-002', connectors: ['1'] },
      ],
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: `./${name}/archive`,
      state: `./${name}/state`,
      alerts: ['stdout'],
      scan: { retryBaseDelayMs: 50, ...scan },
      // Decided at once: with the 48-hour hold, whether a finding of the last hours is told yet
      // depends on the time of day the test runs at.
      incidents: { attribution: { holdHours: 0 } },
    }),
  );
  return path;
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('scan progress on stderr', () => {
  it('says how far a scan has got while one connector is slow, and how it ended', async () => {
    // The API takes the connection and does not answer in time, three times over.
    sim.inject({ kind: 'slow', delayMs: 3_000, chargerId: 'HPC-002', connectorId: '1', times: 3 });
    const config = await freshConfig({ requestTimeoutMs: 700 });
    const result = await cli(['scan', '--config', config], {
      env: { ...credentials, DEPOT_WATCH_PROGRESS_SECONDS: '0.5' },
    });
    expect(result.code).toBe(0);
    const stderr = lines(result.stderr);
    const final = stderr.findIndex((line) => FINAL.test(line));
    expect(final).toBe(stderr.length - 1);
    // At least 2.1 s of timeouts: lines came while the scan was still waiting on HPC-002/1.
    const periodic = stderr.slice(0, final).filter((line) => PROGRESS.test(line));
    expect(periodic.length).toBeGreaterThanOrEqual(1);
    expect(periodic.some((line) => !line.startsWith('scan: 3/3'))).toBe(true);
    expect(stderr[final]).toMatch(
      /^scan finished: 3\/3 connectors, [\d,]+ reports, .* in [\d.]+ s$/,
    );
    // stdout is for scripts: the alerts and the summary, never progress.
    expect(result.stdout).not.toMatch(/^scan(:| finished)/m);
    expect(result.stdout).toContain('3 connectors, 3 ok, 0 failed');
  });

  it('logs each retry and its reason with --verbose', async () => {
    sim.inject({ kind: 'status', status: 503, chargerId: 'HPC-001', connectorId: '1', times: 2 });
    const result = await cli(['scan', '--config', await freshConfig(), '--verbose'], {
      env: credentials,
    });
    expect(result.code).toBe(0);
    const retries = lines(result.stderr).filter((line) => line.includes('retrying'));
    expect(retries).toEqual([
      expect.stringMatching(
        /^info: request failed, retrying where=HPC-001\/1 retry=1\/4 waitMs=\d+ reason=HTTP 503 server error$/,
      ),
      expect.stringMatching(/ where=HPC-001\/1 retry=2\/4 .*reason=HTTP 503 server error$/),
    ]);
    expect(result.stdout).not.toContain('retrying');
  });
});

describe('scan --quiet', () => {
  it('prints the alerts and nothing else when all goes well', async () => {
    const result = await cli(['scan', '--config', await freshConfig(), '--quiet'], {
      env: credentials,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\[OPEN · (CRITICAL|WARNING)\] /);
    // The summary's lines, anchored: a notice's own text may say "finished charging".
    expect(result.stdout).not.toMatch(
      /^(Scan \S+ finished in|Archive:|Alerts:)|\d+ connectors, \d+ ok/m,
    );
  });

  it('keeps the exit code and the error lines of a failed connector', async () => {
    sim.inject({ kind: 'status', status: 400, chargerId: 'HPC-002', connectorId: '1' });
    const result = await cli(['scan', '--config', await freshConfig(), '--quiet'], {
      env: credentials,
    });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^error: connector scan failed .*chargerId=HPC-002 connectorId=1 /),
    ]);
    expect(result.stdout).not.toMatch(/^(Scan \S+ finished in|\s*FAILED|Archive:)/m);
  });

  it('is a usage error together with --verbose', async () => {
    const result = await cli(['scan', '--config', 'depot.json', '--quiet', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([
      'depot-watch: --quiet and --verbose cannot go together; choose one',
    ]);
  });
});

describe('demo --quiet', () => {
  it('prints the notices and nothing else', async () => {
    const result = await cli(['demo', '--quiet', '--dir', join(work, 'demo')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\[OPEN · CRITICAL\] /);
    expect(result.stdout).not.toMatch(/depot-watch demo:|finished in|Still open now|Health report/);
  });
});
