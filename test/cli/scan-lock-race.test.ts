import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { cli } from '../helpers/cli.ts';
import { alertsIn } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

// Two scans started together on one state folder: the lock must let exactly one run, every
// time. The race it guards against showed in about 1 of 20 tries, so try many times, within a
// time budget (a try costs two node processes). test/unit/local-lock.test.ts races the lock
// itself hundreds of times at microsecond distance.
const TRIES = 40;
const BUDGET_MS = 25_000;

let work: string;
let sim: DepotSimulator;
let gate: TokenGate;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'depot-watch-lock-race-'));
  // A fault in every session: the rules rotate with the hour, and a day's worth of them must
  // always include one told at once (every other session left hours of the day with none).
  sim = await startSimulator({ fleet: { chargers: 1, anomalyEvery: 1 } });
  gate = await tokenGate(sim.tokenUrl);
});
afterAll(async () => {
  await new Promise((done) => gate?.server.close(done));
  await sim?.stop();
  await rm(work, { recursive: true, force: true });
});

/**
 * A token endpoint in front of the simulator's that holds every request until `open()` or until
 * two have arrived. A scan asks for its token only once it holds the lock, so the holder waits
 * there while the other process tries the lock: the two always overlap, however the machine
 * schedules their start. Two requests at once mean both took the lock.
 */
interface TokenGate {
  server: Server;
  url: string;
  open(): void;
  reset(): void;
}

async function tokenGate(upstream: string): Promise<TokenGate> {
  let waiting = 0;
  let release: () => void = () => undefined;
  let opened = new Promise<void>((done) => {
    release = done;
  });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (++waiting >= 2) release();
    await opened;
    const answer = await fetch(upstream, {
      method: 'POST',
      headers: req.headers as Record<string, string>,
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(await answer.text());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}/oauth2/token`,
    open: () => release(),
    reset: () => {
      waiting = 0;
      opened = new Promise<void>((done) => {
        release = done;
      });
    },
  };
}

describe('two scan processes started together on one state folder', () => {
  it('never both run: one refuses, naming the holder, and no notice is sent twice', async () => {
    const started = Date.now();
    const env = { DEPOT_WATCH_CLIENT_ID: 'demo-client', DEPOT_WATCH_CLIENT_SECRET: 'demo-secret' };
    let tries = 0;
    for (; tries < TRIES && Date.now() - started < BUDGET_MS; tries++) {
      const dir = join(work, `try-${tries}`);
      await mkdir(dir);
      const config = join(dir, 'config.json');
      await writeFile(
        config,
        JSON.stringify({
          fleet: [{ chargerId: 'HPC-001', connectors: sim.fleet.connectorIds() }],
          api: { tokenUrl: gate.url, baseUrl: sim.url },
          archive: 'archive',
          state: 'state',
          alerts: ['alerts.jsonl'],
        }),
      );
      gate.reset();
      // The first process to end (the one refused) lets the holder go on.
      const scan = () => cli(['scan', '--config', config, '--quiet'], { env }).finally(gate.open);
      const runs = await Promise.all([scan(), scan()]);
      const refused = runs.filter((r) => /in use by another scan/.test(r.stderr));
      const stderr = runs.map((r) => r.stderr.trim()).join(' | ');
      expect(refused, `try ${tries}: ${stderr}`).toHaveLength(1);
      expect(refused[0]?.stderr).toMatch(/\(pid \d+ on [^,]+, since [^)]+\)/);
      expect(
        runs.filter((r) => r.code === 0),
        stderr,
      ).toHaveLength(1);
      const told = (await alertsIn(join(dir, 'alerts.jsonl'))).map(
        (a) => `${a.incident}/${a.event}`,
      );
      expect(told.length).toBeGreaterThan(0);
      expect(new Set(told).size, `try ${tries}`).toBe(told.length);
    }
    expect(tries).toBeGreaterThanOrEqual(5);
  }, 45_000);
});
