import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import type { ScanRuntime } from '../../functions/wiring/scan-from-config.ts';
import { configFor, filesUnder, scanOnce } from '../helpers/scan.ts';
import { fleetSessionsBetween, startSimulator } from '../helpers/simulator.ts';

const START = Date.parse('2026-11-24T12:00:00.000Z');
const now = () => START;
/** What the simulated vendor allows: four report requests at once, then 429 with Retry-After: 1. */
const MAX_IN_FLIGHT = 4;
// Sessions every two hours on 30 chargers × 2 connectors: two pages (ten and two) per connector
// in the first run's 24-hour window, 120 report requests in all. The latency keeps requests on
// the wire long enough to overlap, as they would against the real API.
const SIMULATOR = {
  fleet: { chargers: 30, sessionIntervalMinutes: 120 },
  latencyMs: 100,
  rateLimit: { maxInFlight: MAX_IN_FLIGHT, retryAfterSeconds: 1 },
  now,
};

let sim: DepotSimulator;
let dir: string;
beforeEach(async () => {
  sim = await startSimulator(SIMULATOR);
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-throttled-'));
});
afterEach(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One scan with a ceiling of 32 connectors; waits are recorded, not slept. */
async function scanWithCeiling32(
  simulator: DepotSimulator,
  label: string,
  runtime: Partial<ScanRuntime> = {},
) {
  const waits: number[] = [];
  const config = configFor(simulator, join(dir, label), {
    concurrency: 32,
    maxAttempts: 20,
  });
  const summary = await scanOnce(config, now, {
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...runtime,
  });
  return { summary, waits, archive: config.archive };
}

describe('a scan against an API that throttles', () => {
  it('reads every report served, fails no connector, and draws far fewer 429s than a fixed 32 in flight', async () => {
    const adaptive = await scanWithCeiling32(sim, 'adaptive');

    const served = sim.stats.reportsServed;
    const inWindow = fleetSessionsBetween(sim, START - 24 * 3_600_000, START);
    expect(served).toBe(inWindow.length);
    expect(adaptive.summary.failed).toEqual([]);
    expect(adaptive.summary.totals.fetched).toBe(served);
    expect(adaptive.summary.totals.archived + adaptive.summary.totals.quarantined).toBe(served);
    const archived = (await filesUnder(join(adaptive.archive, 'reports'))).filter((f) =>
      f.endsWith('.json'),
    );
    const quarantined = (await filesUnder(join(adaptive.archive, 'quarantine'))).filter(
      (f) => f.endsWith('.json') && !f.endsWith('.reason.json'),
    );
    expect(archived.length + quarantined.length).toBe(served);

    // The scan starts above what the API allows, so it is throttled, and each throttled
    // request waited as long as Retry-After said.
    const adaptive429s = sim.stats.throttled;
    expect(adaptive429s).toBeGreaterThan(0);
    expect(adaptive.waits).toHaveLength(adaptive429s);
    expect(new Set(adaptive.waits)).toEqual(new Set([1_000]));

    // The same scan with 32 requests in flight throughout, against a fresh simulator.
    const fixedSim = await startSimulator(SIMULATOR);
    try {
      await scanWithCeiling32(fixedSim, 'fixed', { requestGate: 'fixed' });
      const fixed429s = fixedSim.stats.throttled;
      expect(
        adaptive429s * 5,
        `429s: ${adaptive429s} adapting vs ${fixed429s} fixed at 32`,
      ).toBeLessThan(fixed429s);
    } finally {
      await fixedSim.stop();
    }
    // Two whole scans on shared cores: a generous timeout; no assertion is about time.
  }, 120_000);
});
