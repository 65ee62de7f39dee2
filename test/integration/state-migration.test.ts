import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { alertsIn, configFor, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { cursorOf, stateDocumentIn } from '../helpers/state-document.ts';

const T0 = Date.parse('2026-11-24T12:00:00.000Z');
let sim: DepotSimulator;

beforeAll(async () => {
  sim = await startSimulator({ fleet: { chargers: 2 }, now: () => T0 });
});
afterAll(async () => {
  await sim.stop();
});

async function legacyFile(dir: string, kind: string, chargerId: string, value: unknown) {
  const folder = join(dir, 'state', kind, `charger=${chargerId}`);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'connector=1.json'), JSON.stringify(value));
}

describe('a state kept in the per-connector layout of earlier versions', () => {
  it('is read once and carried whole into the state document, what the run did not touch too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depot-watch-migrate-'));
    // HPC-002 cannot be read this run: its cursor and open incident must survive the conversion.
    sim.inject({
      kind: 'status',
      status: 502,
      chargerId: 'HPC-002',
      times: Number.POSITIVE_INFINITY,
    });
    const since = new Date(T0 - 3_600_000).toISOString();
    await legacyFile(dir, 'cursors', 'HPC-002', {
      chargerId: 'HPC-002',
      connectorId: '1',
      fetchedUntil: since,
      updatedAt: since,
    });
    const record = {
      version: 1,
      chargerId: 'HPC-002',
      connectorId: '1',
      incidents: [{ id: 'HPC-002/1/breaker-open-under-load/s-1', status: 'open' }],
      recent: [],
      seen: [],
      openings: {},
    };
    await legacyFile(dir, 'incidents', 'HPC-002', record);
    const summary = await scanOnce(configFor(sim, dir), () => T0);
    expect(summary.stateError).toBeUndefined();
    const document = await stateDocumentIn(join(dir, 'state'));
    expect(document.migratedFrom).toBe('per-connector files');
    expect(cursorOf(document, 'HPC-002', '1')?.fetchedUntil).toBe(since);
    expect(document.incidents['HPC-002\u001f1']).toMatchObject({ incidents: record.incidents });
    // The connectors read this run moved on, in the same document.
    expect(cursorOf(document, 'HPC-001', '1')?.fetchedUntil).toBe(new Date(T0).toISOString());
    // The second run reads the document, not the old files: nothing told twice.
    const told = (await alertsIn(join(dir, 'alerts.jsonl'))).length;
    await scanOnce(configFor(sim, dir), () => T0);
    expect((await alertsIn(join(dir, 'alerts.jsonl'))).length).toBe(told);
    expect((await stateDocumentIn(join(dir, 'state'))).migratedFrom).toBe('per-connector files');
  });
});
