import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlAlerts } from '../../functions/adapters/local-alerts.ts';
import { LocalState } from '../../functions/adapters/local-state.ts';
import type { ScanSummary } from '../../functions/scan/summary.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { alertsIn, configFor, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { plainStore, stateDocumentIn } from '../helpers/state-document.ts';

const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const TRIES = 100;
let sim: DepotSimulator;
let clock = T0;

beforeAll(async () => {
  sim = await startSimulator({
    fleet: { chargers: 1, connectorsPerCharger: 2, anomalyEvery: 2, sessionIntervalMinutes: 20 },
    now: () => clock,
  });
});
afterAll(async () => {
  await sim.stop();
});

describe('two scans of one depot started together', () => {
  it(`never both commit and never repeat a notice, ${TRIES} times over, with or without the lock`, async () => {
    for (const locked of [true, false]) {
      const dir = await mkdtemp(join(tmpdir(), 'depot-watch-race-'));
      const config = configFor(sim, dir, { initialLookbackHours: 6 });
      const alerts = new JsonlAlerts(join(dir, 'alerts.jsonl'));
      const state = () =>
        locked
          ? new LocalState(join(dir, 'state'))
          : plainStore(new LocalState(join(dir, 'state')));
      clock = T0;
      let lostRaces = 0;
      for (let i = 0; i < TRIES; i++) {
        clock += 15 * 60_000;
        const before = (await stateDocumentIn(join(dir, 'state')).catch(() => undefined))?.seq ?? 0;
        const runs = await Promise.allSettled([
          scanOnce(config, () => clock, { alerts, state: state() }),
          scanOnce(config, () => clock, { alerts, state: state() }),
        ]);
        const finished = runs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const won = finished.filter((s: ScanSummary) => s.stateError === undefined);
        expect(won, `try ${i + 1}`).toHaveLength(1);
        // The other one was turned away by the lock, or lost the compare-and-swap and said so.
        for (const lost of finished.filter((s) => s.stateError !== undefined)) {
          lostRaces++;
          expect(lost.stateError).toMatch(/another run committed this depot’s state first/);
        }
        for (const refused of runs.filter((r) => r.status === 'rejected'))
          expect(String(refused.reason)).toMatch(/in use by another scan/);
        const after = await stateDocumentIn(join(dir, 'state'));
        // One commit of the run, and a second only when it had notices to mark delivered.
        expect(after.seq - before, `try ${i + 1}`).toBeGreaterThanOrEqual(1);
        expect(after.seq - before, `try ${i + 1}`).toBeLessThanOrEqual(2);
      }
      const ids = (await alertsIn(join(dir, 'alerts.jsonl'))).map((n) => n.id);
      expect(ids.length).toBeGreaterThan(10);
      expect(new Set(ids).size).toBe(ids.length);
      // Without the lock, every try was a real race that one run lost at its commit.
      if (!locked) expect(lostRaces).toBe(TRIES);
    }
  }, 120_000);
});
