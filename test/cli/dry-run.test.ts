import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { stateDocumentIn } from '../helpers/state-document.ts';

const CREDENTIALS = {
  DEPOT_WATCH_CLIENT_ID: 'demo-client',
  DEPOT_WATCH_CLIENT_SECRET: 'demo-secret',
};
// The simulator's clock stands still, so a second run sees exactly the sessions the first saw.
const SIMULATED_NOW = Date.now() - 60 * 60 * 1000;

let work: string;
let sim: DepotSimulator;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-dry-run-'));
  sim = await startSimulator({
    fleet: { chargers: 2, anomalyEvery: 2, invalidEvery: 4 },
    now: () => SIMULATED_NOW,
  });
});
afterAll(async () => {
  await sim.stop();
  await rm(work, { recursive: true, force: true });
});

/** A config in its own folder, archive, state and alerts beside it; returns the folder. */
async function depot(name: string): Promise<{ folder: string; config: string }> {
  const folder = join(work, name);
  const config = join(folder, 'depot.json');
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  await writeFile(
    config,
    JSON.stringify({
      fleet: [
        { chargerId: 'HPC-001', connectors: ['1', '2'] },
        { chargerId: 'HPC-002', connectors: ['1'] },
      ],
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: './archive',
      state: './state',
      alerts: ['./alerts.jsonl'],
      // Decided at once: with the 48-hour hold, whether a finding of the last hours is told yet
      // depends on the time of day the test runs at.
      incidents: { attribution: { holdHours: 0 } },
    }),
  );
  return { folder, config };
}

/** Every file under a folder with its content, by relative path; empty when there is none. */
async function snapshot(folder: string): Promise<Record<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[path.slice(folder.length + 1)] = await readFile(path, 'utf8');
  }
  return files;
}

const noticesToSend = (stdout: string) =>
  Number(/^ {2}notices to send\s+(\d+)/m.exec(stdout)?.[1] ?? Number.NaN);

const dryLines = (stdout: string, what: string) =>
  stdout.split('\n').filter((line) => line.startsWith(`[dry run] ${what}`));

describe('depot-watch scan --dry-run', () => {
  it('on a fresh depot lists what it would archive and send, and writes nothing', async () => {
    const { folder, config } = await depot('fresh');
    const result = await cli(['scan', '--config', config, '--dry-run'], { env: CREDENTIALS });
    expect(result.code).toBe(0);
    expect(
      dryLines(result.stdout, 'would archive reports/charger=HPC-001/').length,
    ).toBeGreaterThan(0);
    expect(dryLines(result.stdout, 'would send:').length).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/^\[OPEN · /m);
    expect(result.stdout).toContain(
      'Dry run: nothing archived, no state written, no notice sent; the counts are what a scan would have done.\n',
    );
    expect(result.stdout).toMatch(/3 connectors, 3 ok, 0 failed/);
    // The summary speaks as the footer does: what a scan would do, not what this one did.
    expect(noticesToSend(result.stdout)).toBe(dryLines(result.stdout, 'would send:').length);
    expect(result.stdout).not.toMatch(/notices sent|^ {2}archived /m);
    // Not even the folders: the config's folder holds only the config.
    expect(Object.keys(await snapshot(folder))).toEqual(['depot.json']);
  });

  it('after a real scan reads its state, opens nothing again, and leaves archive, state and alerts as they were', async () => {
    const { folder, config } = await depot('scanned');
    const real = await cli(['scan', '--config', config], { env: CREDENTIALS });
    expect(real.code).toBe(0);
    const before = await snapshot(folder);
    expect(Object.keys(before)).toContain('state/state/000000000001.json');
    expect(
      Object.keys((await stateDocumentIn(join(folder, 'state'))).cursors).length,
    ).toBeGreaterThan(0);
    expect(before['alerts.jsonl']).toMatch(/"event":"open"/);

    const dry = await cli(['scan', '--config', config, '--dry-run'], { env: CREDENTIALS });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing archived');
    // The incidents the real scan opened are in the state it read: none opens twice.
    expect(dry.stdout).not.toMatch(/^\[OPEN · /m);
    expect(await snapshot(folder)).toEqual(before);
  });

  it('says what it would quarantine', async () => {
    const { config } = await depot('quarantine');
    const result = await cli(['scan', '--config', config, '--dry-run'], { env: CREDENTIALS });
    expect(result.code).toBe(0);
    const quarantined = Number(/would quarantine\s+(\d+)/.exec(result.stdout)?.[1]);
    expect(quarantined).toBeGreaterThan(0);
    expect(dryLines(result.stdout, 'would quarantine quarantine/')).toHaveLength(quarantined);
  });

  it('counts the notice about an API it cannot reach among those it would send', async () => {
    const { config } = await depot('unreachable');
    const settings = JSON.parse(await readFile(config, 'utf8'));
    // A port nothing listens on: every connector fails, and the depot's own incident opens.
    const closed = 'http://127.0.0.1:9';
    await writeFile(
      config,
      JSON.stringify({ ...settings, api: { tokenUrl: `${closed}/oauth/token`, baseUrl: closed } }),
    );
    const result = await cli(['scan', '--config', config, '--dry-run'], { env: CREDENTIALS });
    expect(result.code).toBe(1);
    expect(dryLines(result.stdout, 'would send:')).toHaveLength(1);
    expect(result.stdout).toMatch(/^\[OPEN · CRITICAL\] DepotFinity unreachable/m);
    expect(noticesToSend(result.stdout)).toBe(1);
  });
});
