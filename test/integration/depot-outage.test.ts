import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { alertsIn, configFor, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

const START = Date.parse('2026-11-24T12:00:00.000Z');
let clock = START;
let sim: DepotSimulator;
let dir: string;
beforeEach(async () => {
  clock = START;
  sim = await startSimulator({ fleet: { chargers: 3, anomalyEvery: 0 }, now: () => clock });
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-outage-'));
});
afterEach(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Notice {
  event: string;
  subject: string;
  rule: string;
  incident: string;
}

describe('an API outage that fails every connector', () => {
  it('is one depot incident, not one per connector, and resolves when the API is back', async () => {
    const config = configFor(sim, dir, { maxAttempts: 1 });
    sim.inject({
      kind: 'status',
      status: 503,
      endpoint: 'reports',
      times: Number.POSITIVE_INFINITY,
    });
    const down = await scanOnce(config, () => clock);
    expect(down.failed).toHaveLength(6);
    // The summary counts what the run sent: the depot's own notice, and its open incident.
    expect(down.totals).toMatchObject({ alerted: 1, openIncidents: 1 });
    clock += 15 * 60_000;
    const still = await scanOnce(config, () => clock);
    expect(still.totals).toMatchObject({ alerted: 0, openIncidents: 1 });

    const during = (await alertsIn(join(dir, 'alerts.jsonl'))) as unknown as Notice[];
    expect(during.map((n) => [n.event, n.subject, n.rule])).toEqual([
      ['open', 'depot', 'api-unreachable'],
    ]);

    await sim.stop();
    sim = await startSimulator({ fleet: { chargers: 3, anomalyEvery: 0 }, now: () => clock });
    clock += 15 * 60_000;
    const back = await scanOnce(configFor(sim, dir, { maxAttempts: 1 }), () => clock);
    expect(back.failed).toEqual([]);
    expect(back.totals).toMatchObject({ alerted: 1, openIncidents: 0 });
    const after = (await alertsIn(join(dir, 'alerts.jsonl'))) as unknown as Notice[];
    expect(after.map((n) => n.event)).toEqual(['open', 'resolve']);
    expect(after[1]?.incident).toBe(after[0]?.incident);
  });

  it('opens nothing for the depot when only some connectors fail', async () => {
    sim.inject({
      kind: 'status',
      status: 503,
      chargerId: 'HPC-002',
      times: Number.POSITIVE_INFINITY,
    });
    const summary = await scanOnce(configFor(sim, dir, { maxAttempts: 1 }), () => clock);
    expect(summary.failed).toHaveLength(2);
    expect(await alertsIn(join(dir, 'alerts.jsonl'))).toEqual([]);
  });
});
