import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScanIncompleteError } from '../../functions/lambda/scan-handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { capturingOutput, lambdaAgainst, scheduledEvent, stopStandIns } from '../helpers/lambda.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { configFor, filesUnder, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { cursorsIn, stateDocumentInS3 } from '../helpers/state-document.ts';

const START = Date.parse('2026-11-24T12:00:00.000Z');
let clock = START;
let sim: DepotSimulator;

/** fetch that lets `stepMs` of the run's clock pass with every session report request. */
function slowApi(stepMs: number): typeof fetch {
  return async (input, init) => {
    if (String(input).includes('/v1/sessionReports')) clock += stepMs;
    return fetch(input, init);
  };
}

beforeEach(async () => {
  clock = START;
  // Sessions every 3 hours: one page of ten holds a connector's whole 24-hour window.
  sim = await startSimulator({ fleet: { chargers: 4 }, now: () => START });
});
afterEach(async () => {
  await sim.stop();
  await stopStandIns();
});

describe('a run with a deadline', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'depot-watch-deadline-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('finishes the connector in flight, starts no other, and names every connector left', async () => {
    const config = configFor(sim, dir, { concurrency: 1 });
    // One minute per page: connectors 1-3 finish, the 4th is read past the deadline.
    const summary = await scanOnce(config, () => clock, {
      fetch: slowApi(60_000),
      deadline: START + 3.5 * 60_000,
    });
    expect(summary.connectors.map((c) => c.status)).toEqual([
      'ok',
      'ok',
      'ok',
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(summary.failed.map((f) => `${f.chargerId}/${f.connectorId}`)).toEqual([
      'HPC-002/2',
      'HPC-003/1',
      'HPC-003/2',
      'HPC-004/1',
      'HPC-004/2',
    ]);
    expect(summary.failed[0]?.error).toMatch(/deadline came after 1 page/);
    expect(summary.failed[1]?.error).toMatch(/not scanned: the run's deadline came first/);
    // Only the connectors read to the end have a cursor; the one cut short kept what it read.
    expect(await cursorsIn(join(dir, 'state'))).toEqual(['HPC-001/1', 'HPC-001/2', 'HPC-002/1']);
    const archived = await filesUnder(join(dir, 'archive/reports/charger=HPC-002/connector=2'));
    expect(archived.length).toBe(summary.connectors[3]?.archived);
    expect(archived.length).toBeGreaterThan(0);
  });
});

describe('a deadline that comes while a request is in flight', () => {
  let dir: string;
  // The run's clock, moving with real time: the deadline aborts requests on the real clock.
  let t0 = 0;
  const running = () => START + (Date.now() - t0);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'depot-watch-in-flight-'));
    t0 = Date.now();
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('cuts the requests at the deadline: a 2 s deadline against 10 s answers ends in about 2 s', async () => {
    sim.inject({ kind: 'slow', delayMs: 10_000, endpoint: 'reports', times: Infinity });
    // Timeouts far longer than the deadline: only the deadline can end these requests.
    const config = configFor(sim, dir, { concurrency: 2, requestTimeoutMs: 30_000 });
    const summary = await scanOnce(config, running, { deadline: running() + 2_000 });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(summary.connectors.map((c) => c.status)).toEqual([
      'failed',
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(summary.failed[0]?.error).toMatch(
      /deadline came after 0 page\(s\); the rest of the window is read next run/,
    );
    expect(await cursorsIn(join(dir, 'state'))).toEqual([]);
  });

  it('keeps the pages read before the cut and leaves the cursor where it was', async () => {
    const paged = await startSimulator({
      fleet: { chargers: 1, connectorsPerCharger: 1, sessionsPerSlot: 2 },
      now: running,
    });
    try {
      // The second page is held 10 s: the first is read, archived and alerted in time.
      const holdSecondPage: typeof fetch = async (input, init) => {
        if (String(input).includes('page=2'))
          paged.inject({ kind: 'slow', delayMs: 10_000, endpoint: 'reports' });
        return fetch(input, init);
      };
      const config = configFor(paged, dir, { requestTimeoutMs: 30_000 });
      const summary = await scanOnce(config, running, {
        fetch: holdSecondPage,
        deadline: running() + 2_000,
      });
      expect(Date.now() - t0).toBeLessThan(3_000);
      const [connector] = summary.connectors;
      expect(connector).toMatchObject({ status: 'failed', pages: 1, fetched: 10, archived: 10 });
      expect(connector?.error).toMatch(/deadline came after 1 page\(s\)/);
      expect(await filesUnder(join(dir, 'archive/reports'))).toHaveLength(10);
      expect(await cursorsIn(join(dir, 'state'))).toEqual([]);
    } finally {
      await paged.stop();
    }
  });
});

describe('the Lambda near its timeout', () => {
  let s3: LocalS3;
  beforeEach(async () => {
    s3 = await startS3();
  });
  afterEach(async () => s3.stop());

  it('stops in time, fails the invocation naming the unscanned connectors, and flushes its metrics', async () => {
    const lambda = await lambdaAgainst(sim, s3, {
      now: () => clock,
      fetch: slowApi(4_000),
      scan: { concurrency: 1 },
    });
    // 20 s left: 10 s are kept in reserve, so the run stops starting work after 10 s.
    const context = { getRemainingTimeInMillis: () => 20_000 } as Context;
    const { error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent(), context));
    expect(error).toBeInstanceOf(ScanIncompleteError);
    const { report } = error as ScanIncompleteError;
    expect(report.failed).toHaveLength(6);
    expect((error as Error).message).toContain('HPC-004/2');
    expect(
      Object.keys((await stateDocumentInS3(s3.client, s3.bucket, 'state/')).cursors),
    ).toHaveLength(2);
    const metrics = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((r) => 'ScanSucceeded' in r);
    expect(metrics).toMatchObject({ ScanSucceeded: 0, connectorFailures: '6' });
  });

  it('still writes its metrics when the run fails before scanning anything', async () => {
    const lambda = await lambdaAgainst(sim, s3, { fleet: [{ chargerId: 'HPC-001' }] });
    const { error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect((error as Error).message).toMatch(/fleet\.0\.connectors/);
    const metrics = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((r) => 'ScanSucceeded' in r);
    expect(metrics).toMatchObject({ ScanSucceeded: 0 });
  });
});
