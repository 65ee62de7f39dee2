import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { configFor, filesUnder, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

const MINUTE = 60_000;
/** Late in a day, so that the runs cross midnight and one writes the finished day's KPI partition. */
const START = Date.parse('2026-11-24T23:20:00.000Z');
let clock = START;
let sim: DepotSimulator;
let dir: string;
beforeEach(async () => {
  clock = START;
  sim = await startSimulator({ fleet: { chargers: 4, anomalyEvery: 3 }, now: () => clock });
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-temp-files-'));
});
afterEach(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The run's temp files this process holds open: each is removed from its folder as soon as it
 * is open, so the system names it as deleted. A warm Lambda container runs scan after scan in
 * one process: one left open a run would use up its file descriptors.
 */
function openTempFiles(): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.includes(`${tmpdir()}/depot-watch-`) && !target.includes('temp-files-'))
        open.push(target);
    } catch {
      // Closed between the listing and the look: not open.
    }
  }
  return open;
}

describe("a run's temp files", () => {
  it('are all closed when each run ends, over runs that read, attribute, and cross midnight', async () => {
    const config = configFor(sim, dir, { initialLookbackHours: 12 });
    const before = openTempFiles();
    for (let run = 0; run < 4; run++) {
      const summary = await scanOnce(config, () => clock);
      expect(summary.failed).toEqual([]);
      expect(openTempFiles()).toEqual(before);
      clock += 20 * MINUTE;
    }
    // The runs did what keeps temp files: incident records, the attribution record, KPI rows,
    // and the first run after midnight wrote the finished day's partition.
    const state = await filesUnder(join(dir, 'state'));
    expect(state).toContain('kpis/date=2026-11-24/kpis.jsonl');
    expect(state.filter((f) => f.startsWith('state/'))).not.toEqual([]);
  });
});
