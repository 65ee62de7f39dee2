import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import type { ReleaseLock } from '../../functions/scan/ports.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { alertsIn, configFor, recordingLog, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
let sim: DepotSimulator;
let dir: string;
beforeEach(async () => {
  sim = await startSimulator({ fleet: { chargers: 8 }, now: () => NOW });
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-lock-'));
});
afterEach(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('two scans on one local state folder', () => {
  it('lets one run and refuses the other, naming who holds the folder', async () => {
    const config = configFor(sim, dir);
    const results = await Promise.allSettled([
      scanOnce(config, () => NOW),
      scanOnce(config, () => NOW),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    const message = String((refused[0] as PromiseRejectedResult).reason);
    expect(message).toContain(`pid ${process.pid} on ${hostname()}`);
    expect(message).toContain(join(dir, 'state', '.lock'));
    // Every incident told once, not twice.
    const alerts = await alertsIn(join(dir, 'alerts.jsonl'));
    const told = alerts.map((a) => `${a.incident}/${a.event}`);
    expect(new Set(told).size).toBe(told.length);
    expect(alerts.length).toBeGreaterThan(0);
  });

  it('releases the folder when the run ends, so the next run can take it', async () => {
    const config = configFor(sim, dir);
    await scanOnce(config, () => NOW);
    await expect(scanOnce(config, () => NOW + 3_600_000)).resolves.toMatchObject({ failed: [] });
  });

  it('takes over a lock left by a process that died on this host', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    const lockPath = join(dir, 'state', '.lock');
    await new LocalState(join(dir, 'state')).lockForRun('earlier');
    await writeFile(
      lockPath,
      JSON.stringify({ pid: deadPid, host: hostname(), runId: 'crashed', since: 'yesterday' }),
    );
    const release = await new LocalState(join(dir, 'state')).lockForRun('next');
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
  });

  it('never takes over a lock held from another host, and says whose it is', async () => {
    const lockPath = join(dir, 'state', '.lock');
    const release = await new LocalState(join(dir, 'state')).lockForRun('mine');
    await release();
    await writeFile(
      lockPath,
      JSON.stringify({
        pid: 1,
        host: 'depot-laptop-7',
        runId: 'theirs',
        since: '2026-11-24T11:00:00Z',
      }),
    );
    await expect(new LocalState(join(dir, 'state')).lockForRun('next')).rejects.toThrow(
      /in use by another scan \(pid 1 on depot-laptop-7, since 2026-11-24T11:00:00Z\)/,
    );
  });
});

/** A local state whose lock cannot be given up (the folder went read-only, say). */
class UnreleasableState extends LocalState {
  override async lockForRun(runId: string): Promise<ReleaseLock> {
    const release = await super.lockForRun(runId);
    return async () => {
      await release();
      throw new Error('EROFS: read-only file system, unlink .lock');
    };
  }
}

describe('a lock that cannot be released', () => {
  it("leaves the run's summary as it was, and is logged", async () => {
    const log = recordingLog();
    const state = new UnreleasableState(join(dir, 'state'));
    const summary = await scanOnce(configFor(sim, dir), () => NOW, { state, log });
    expect(summary).toMatchObject({ failed: [] });
    expect(summary.totals.archived).toBeGreaterThan(0);
    expect(log.lines.join('\n')).toMatch(/error the state lock could not be released.*EROFS/);
  });

  it("leaves the run's own error as it was", async () => {
    const state = new UnreleasableState(join(dir, 'state'));
    const progress = {
      started: () => {
        throw new Error('the progress line broke');
      },
      reportsRead: () => undefined,
      connectorDone: () => undefined,
      retrying: () => undefined,
    };
    await expect(scanOnce(configFor(sim, dir), () => NOW, { state, progress })).rejects.toThrow(
      'the progress line broke',
    );
  });
});
