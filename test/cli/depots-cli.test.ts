import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { filesUnder } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

let north: DepotSimulator;
let south: DepotSimulator;
let work: string;
let config: string;

beforeAll(async () => {
  north = await startSimulator({
    clientId: 'north-id',
    clientSecret: 'north-secret',
    fleet: { seed: 3, chargers: 2 },
  });
  south = await startSimulator({
    clientId: 'south-id',
    clientSecret: 'south-secret',
    fleet: { seed: 4, chargers: 3 },
  });
  work = await mkdtemp(join(tmpdir(), 'depots-cli-'));
  const depot = (name: string, sim: DepotSimulator) => ({
    name,
    api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
    fleet: sim.fleet
      .chargerIds()
      .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
  });
  config = join(work, 'depots.json');
  await writeFile(
    config,
    JSON.stringify({
      depots: [depot('north', north), depot('south', south)],
      archive: 'archive',
      state: 'state',
      alerts: ['alerts.jsonl'],
      scan: { pageSize: 10, maxAttempts: 2, requestTimeoutMs: 2_000 },
    }),
  );
});
afterAll(async () => {
  await north.stop();
  await south.stop();
});

/** Each depot's own credentials, as an operator sets them. */
const BOTH = {
  DEPOT_WATCH_NORTH_CLIENT_ID: 'north-id',
  DEPOT_WATCH_NORTH_CLIENT_SECRET: 'north-secret',
  DEPOT_WATCH_SOUTH_CLIENT_ID: 'south-id',
  DEPOT_WATCH_SOUTH_CLIENT_SECRET: 'south-secret',
};

describe('the CLI with a config of several depots', () => {
  it('config check names each depot with its fleet and hosts, and probes each with its own credentials', async () => {
    const result = await cli(['config', 'check', '--config', config, '--probe'], { env: BOTH });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('Depots: 2, 5 charger(s), 10 connector(s)');
    expect(result.stdout).toContain(
      `  north: 2 charger(s), 4 connector(s); tokens from ${north.tokenUrl}, reports from ${north.url}`,
    );
    expect(result.stdout).toContain('token endpoint answered (north)');
    expect(result.stdout).toContain('token endpoint answered (south)');
  });

  it('scans a depot whose credentials are set and names the one whose are not, exit 1', async () => {
    const {
      DEPOT_WATCH_SOUTH_CLIENT_ID: _,
      DEPOT_WATCH_SOUTH_CLIENT_SECRET: __,
      ...northOnly
    } = BOTH;
    const southTokens = south.stats.tokenRequests;
    const result = await cli(['scan', '--config', config, '--quiet'], { env: northOnly });
    expect(result.code).toBe(1);
    // North was read in full; south never asked for a token.
    expect(north.stats.reportsServed).toBeGreaterThan(0);
    expect(south.stats.tokenRequests).toBe(southTokens);
    const archive = await filesUnder(join(work, 'archive'));
    expect(
      archive.filter(
        (f) =>
          (f.startsWith('reports/depot=north/') || f.startsWith('quarantine/depot=north/')) &&
          !f.endsWith('.reason.json'),
      ),
    ).toHaveLength(north.stats.reportsServed);
    // The south depot's outage is one notice, naming what to set.
    const notices = (await readFile(join(work, 'alerts.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { depot?: string; subject: string; message: string });
    const southNotices = notices.filter((n) => n.depot === 'south');
    expect(southNotices).toHaveLength(1);
    expect(southNotices[0]?.subject).toBe('depot');
    expect(southNotices[0]?.message).toContain('DEPOT_WATCH_SOUTH_CLIENT_ID');
  });
});
