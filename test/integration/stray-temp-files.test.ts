import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStrayTempFiles } from '../../functions/adapters/local-files.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { configFor, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const MINUTE = 60_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-stray-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** Leaves a temp file as a write does, last touched `ageMs` ago; returns its name. */
async function tempFile(folder: string, file: string, ageMs: number): Promise<string> {
  await mkdir(folder, { recursive: true });
  const name = `${file}.${randomUUID()}.tmp`;
  await writeFile(join(folder, name), '{"half": ');
  const at = new Date(Date.now() - ageMs);
  await utimes(join(folder, name), at, at);
  return name;
}

describe('temp files a crashed write left behind', () => {
  let sim: DepotSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ fleet: { chargers: 1 }, now: () => NOW });
  });
  afterEach(async () => sim.stop());

  it('are removed by the next run from the archive and state folders it writes', async () => {
    const day = join(dir, 'archive/reports/charger=HPC-001/connector=1/date=2026-11-24');
    // The folder of the state document's versions, where a commit creates the next one.
    const versions = join(dir, 'state/state');
    const state = join(dir, 'state');
    const stray = [
      await tempFile(day, '1234.json', 10 * MINUTE),
      await tempFile(versions, '000000000001.json', 10 * MINUTE),
      await tempFile(state, '.lock', 60 * MINUTE),
    ];
    // Another run's write in progress: too young to be stray.
    const inFlight = await tempFile(day, '5678.json', 0);
    await scanOnce(configFor(sim, dir), () => NOW);
    const left = [
      ...(await readdir(day)),
      ...(await readdir(versions)),
      ...(await readdir(state)),
    ].filter((name) => name.endsWith('.tmp'));
    expect(left).toEqual([inFlight]);
    expect(stray.every((name) => !left.includes(name))).toBe(true);
  });
});

describe('removeStrayTempFiles', () => {
  it('removes only temp files older than its bound, never other files', async () => {
    const old = await tempFile(dir, 'a.json', 6 * MINUTE);
    const young = await tempFile(dir, 'b.json', 4 * MINUTE);
    await writeFile(join(dir, 'notes.tmp'), 'mine');
    await writeFile(join(dir, 'c.json'), '{}');
    const past = new Date(Date.now() - 60 * MINUTE);
    await utimes(join(dir, 'notes.tmp'), past, past);
    removeStrayTempFiles(dir);
    expect((await readdir(dir)).sort()).toEqual(['c.json', 'notes.tmp', young].sort());
    expect(await readdir(dir)).not.toContain(old);
  });

  it('leaves a folder it cannot list alone', () => {
    expect(() => removeStrayTempFiles(join(dir, 'missing'))).not.toThrow();
  });
});
