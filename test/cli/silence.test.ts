import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { connectorKey } from '../../functions/scan/state-document.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { alertsIn } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { stateDocumentIn } from '../helpers/state-document.ts';

const SILENCED = 'HPC-002';
let sim: DepotSimulator;
let work: string;
let config: string;
const env = { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'demo-secret' };
const alerts = async () =>
  (await alertsIn(join(work, 'alerts.jsonl'))).filter((n) => n.chargerId === SILENCED);
const opens = (notices: IncidentNotification[]) =>
  notices.filter((n) => n.event === 'open' || n.event === 'escalate');

beforeAll(async () => {
  sim = await startSimulator({ fleet: { chargers: 3, anomalyEvery: 2 } });
  work = await mkdtemp(join(tmpdir(), 'depot-watch-silence-'));
  config = join(work, 'depot.json');
  await writeFile(
    config,
    JSON.stringify({
      fleet: sim.fleet.chargerIds().map((chargerId) => ({
        chargerId,
        connectors: sim.fleet.connectorIds(),
      })),
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: 'archive',
      state: 'state',
      alerts: ['alerts.jsonl'],
      // Every finding opens an incident at once, attributed on what is known, so a silenced
      // charger has something to hold back.
      incidents: {
        pending: { info: { findings: 1, sessions: 1 }, warning: { findings: 1, sessions: 1 } },
        attribution: { holdHours: 0 },
      },
    }),
  );
});
afterAll(async () => {
  await sim.stop();
  await rm(work, { recursive: true, force: true });
});

describe('depot-watch silence, set from a laptop while scans go on', () => {
  let id = '';

  it('refuses a charger the fleet does not have, so a typo never silences nothing', async () => {
    const result = await cli(
      ['silence', 'add', '--charger', 'HPC-02', '--for', '4h', '--reason', 'x', '--config', config],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `depot-watch: --charger "HPC-02" is not in the config's fleet; did you mean HPC-002? (--force silences it as given)\n`,
    );
  });

  it('holds back every notice about the charger while findings are still archived', async () => {
    const stored = await cli(
      [
        'silence',
        'add',
        '--charger',
        SILENCED,
        '--for',
        '4h',
        '--reason',
        'converter swap',
        '--config',
        config,
      ],
      { env },
    );
    expect(stored.code).toBe(0);
    id = /id (sil-[0-9a-f]{8})/.exec(stored.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    const list = await cli(['silence', 'list', '--json', '--config', config], { env });
    expect(JSON.parse(list.stdout)).toMatchObject({
      id,
      chargerId: SILENCED,
      reason: 'converter swap',
    });

    const scan = await cli(['scan', '--config', config], { env });
    expect(scan.code).toBe(0);
    expect(await alerts()).toEqual([]);
    // The other chargers are told as usual, and the silenced one's reports are archived.
    expect((await alertsIn(join(work, 'alerts.jsonl'))).length).toBeGreaterThan(0);
    // What it holds back is open all the same: in the connector's record, or in the fleet's
    // for a fault attributed across chargers.
    const document = await stateDocumentIn(join(work, 'state'));
    const state = document.incidents[connectorKey({ chargerId: SILENCED, connectorId: '1' })];
    expect(state).toBeDefined();
    expect(document.attribution).toBeDefined();
    const held = [
      state as ConnectorIncidentState,
      ...Object.values(document.attribution?.subjects ?? {}),
    ].flatMap((s) => s.incidents);
    expect(held.some((i) => i.chargerId === SILENCED && i.status === 'open')).toBe(true);
  });

  it('tells what is still open with the first scan after the silence is expired', async () => {
    const expired = await cli(['silence', 'expire', id, '--config', config], { env });
    expect(expired.code).toBe(0);
    expect(expired.stdout).toContain(`Silence ${id} on ${SILENCED}`);
    const list = await cli(['silence', 'list', '--config', config], { env });
    expect(list.stdout).toContain('0 silence(s)');

    await cli(['scan', '--config', config], { env });
    const told = opens(await alerts());
    expect(told.length).toBeGreaterThan(0);
    // One open per incident: nothing held back is told twice.
    expect(new Set(told.map((n) => n.incident)).size).toBe(told.length);
  });

  it('names an unknown silence id and exits 2', async () => {
    const result = await cli(['silence', 'expire', 'sil-00000000', '--config', config], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no silence "sil-00000000"/);
  });
});

describe('depot-watch silence with an option where the action goes', () => {
  it('names the option and the actions, exit 2', async () => {
    const result = await cli(['silence', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "depot-watch: silence takes add, list or expire before its options, got '--bogus'; see depot-watch silence --help\n",
    );
  });
});
