import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../functions/config/config.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { scanFromConfig } from '../../functions/wiring/scan-from-config.ts';
import { filesUnder, recordingLog } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { stateDocumentIn } from '../helpers/state-document.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
let north: DepotSimulator;
let south: DepotSimulator;
let dir: string;

beforeEach(async () => {
  // Two depots whose chargers have the same ids (HPC-001 …): only the depot tells them apart.
  north = await startSimulator({
    now: () => NOW,
    fleet: { seed: 1, chargers: 2, anomalyEvery: 2 },
  });
  south = await startSimulator({
    now: () => NOW,
    clientSecret: 'south-secret',
    fleet: { seed: 2, chargers: 3, anomalyEvery: 2 },
  });
  dir = await mkdtemp(join(tmpdir(), 'depots-'));
});
afterEach(async () => {
  await north.stop();
  await south.stop();
});

function depotEntry(name: string, sim: DepotSimulator, clientSecret: string) {
  return {
    name,
    api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
    credentials: { clientId: 'demo-client', clientSecret },
    fleet: sim.fleet
      .chargerIds()
      .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
  };
}

function twoDepots(southSecret: string): Config {
  return parseConfig(
    {
      depots: [depotEntry('north', north, 'demo-secret'), depotEntry('south', south, southSecret)],
      archive: join(dir, 'archive'),
      state: join(dir, 'state'),
      alerts: [join(dir, 'alerts.jsonl')],
      scan: { pageSize: 10, maxAttempts: 2, requestTimeoutMs: 2_000 },
    },
    'test config',
  );
}

const scan = (config: Config) =>
  scanFromConfig(config, {
    log: recordingLog(),
    baseDir: '/',
    sleep: async () => undefined,
    now: () => NOW,
  });

async function notices(): Promise<IncidentNotification[]> {
  const text = await readFile(join(dir, 'alerts.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as IncidentNotification);
}

describe('a config of several depots', () => {
  it('scans each depot with its own hosts and credentials into its own partition and state', async () => {
    const summary = await scan(twoDepots('south-secret'));
    expect(summary.failed).toEqual([]);
    // Each simulator served its own depot: 2 and 3 chargers × 2 connectors.
    expect(summary.connectors.filter((c) => c.depot === 'north')).toHaveLength(4);
    expect(summary.connectors.filter((c) => c.depot === 'south')).toHaveLength(6);

    const archive = await filesUnder(join(dir, 'archive'));
    const reports = (depot: string) =>
      archive.filter((f) => f.startsWith(`reports/depot=${depot}/charger=`));
    const quarantined = (depot: string) =>
      archive.filter(
        (f) => f.startsWith(`quarantine/depot=${depot}/`) && !f.endsWith('.reason.json'),
      );
    expect(reports('north').length + quarantined('north').length).toBe(north.stats.reportsServed);
    expect(reports('south').length + quarantined('south').length).toBe(south.stats.reportsServed);
    expect(archive.filter((f) => f.startsWith('reports/charger='))).toEqual([]);

    const cursors = async (depot: string) =>
      Object.keys((await stateDocumentIn(join(dir, 'state', `depot=${depot}`))).cursors);
    expect(await cursors('north')).toHaveLength(4);
    expect(await cursors('south')).toHaveLength(6);

    // Every notice names its depot, and its sessions are that depot's.
    const sent = await notices();
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((n) => n.depot))).toEqual(new Set(['north', 'south']));
    for (const notice of sent) {
      const folder = join(dir, 'archive', 'reports', `depot=${notice.depot}`);
      const there = (await filesUnder(folder)).map((f) => f.replace(/^.*\//, ''));
      for (const session of notice.sessionIds.filter(Boolean))
        expect(there, `${notice.depot} ${session}`).toContain(`${session}.json`);
    }
    // The history names each depot's notices in its own file.
    const history = archive.filter((f) => f.startsWith('incidents/'));
    expect(history.some((f) => /\/north\.run-[^/]+\.jsonl$/.test(f))).toBe(true);
    expect(history.some((f) => /\/south\.run-[^/]+\.jsonl$/.test(f))).toBe(true);
  });

  it('opens one incident for a depot whose credentials are refused, and scans the others', async () => {
    const summary = await scan(twoDepots('a-wrong-secret'));
    // Every south connector failed, credentials refused; no north one did.
    expect(summary.failed).toHaveLength(6);
    expect(summary.failed.every((f) => f.depot === 'south' && f.credentialsRefused)).toBe(true);
    expect(south.stats.reportsServed).toBe(0);

    const archive = await filesUnder(join(dir, 'archive'));
    expect(archive.filter((f) => f.startsWith('reports/depot=south/'))).toEqual([]);
    expect(archive.filter((f) => f.startsWith('reports/depot=north/')).length).toBeGreaterThan(0);

    const southNotices = (await notices()).filter((n) => n.depot === 'south');
    expect(southNotices).toHaveLength(1);
    expect(southNotices[0]).toMatchObject({ subject: 'depot', event: 'open', depot: 'south' });
    expect((await notices()).some((n) => n.depot === 'north')).toBe(true);
  });

  it('refuses a config that lists depots and a fleet, or one depot twice', () => {
    const base = { depots: [depotEntry('north', north, 'x')] };
    expect(() =>
      parseConfig({ ...base, fleet: [{ chargerId: 'A', connectors: ['1'] }] }, 'c.json'),
    ).toThrow(/fleet: list either one fleet or depots/);
    expect(() =>
      parseConfig({ depots: [...base.depots, { ...base.depots[0], name: 'North' }] }, 'c.json'),
    ).toThrow(/depots\.1\.name: depot "North" is listed twice/);
    expect(() =>
      parseConfig({ depots: [{ ...base.depots[0], name: 'north depot' }] }, 'c.json'),
    ).toThrow(/depots\.0\.name: must be 1-63 letters/);
    expect(() =>
      parseConfig(
        {
          depots: [
            {
              ...base.depots[0],
              overrides: [{ chargerId: 'HPC-404', thresholds: {} }],
            },
          ],
        },
        'c.json',
      ),
    ).toThrow(/depots\.0\.overrides\.0\.chargerId: charger "HPC-404" is not in the fleet/);
  });
});
