import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_PLACEHOLDER } from '../../functions/config/credentials.ts';
import type { FanOutEvent, RunPlan, ShardOutcome } from '../../functions/lambda/fan-out-events.ts';
import { ScanIncompleteError, type ScanReport } from '../../functions/lambda/scan-handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { capturingOutput, lambdaAgainst, scheduledEvent, stopStandIns } from '../helpers/lambda.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { stateDocumentInS3 } from '../helpers/state-document.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
let sim: DepotSimulator;
let s3: LocalS3;
beforeEach(async () => {
  // 6 chargers × 2 connectors; a fault in every other session.
  sim = await startSimulator({ now: () => NOW, fleet: { chargers: 6, anomalyEvery: 2 } });
  s3 = await startS3();
});
afterEach(async () => {
  await sim.stop();
  await s3.stop();
  await stopStandIns();
});

/** The scan function as the state machine drives it: 4 connectors to a shard, config in S3. */
async function fannedLambda(credentialsSecret?: string) {
  const lambda = await lambdaAgainst(sim, s3, {
    now: () => NOW,
    configObject: true,
    env: { DEPOT_WATCH_SHARD_CONNECTORS: '4' },
    ...(credentialsSecret !== undefined ? { credentialsSecret } : {}),
  });
  const step = (event: FanOutEvent) =>
    capturingOutput(() => lambda.handler(event) as Promise<unknown>);
  return { ...lambda, step };
}

const emfOf = (lines: string[]) =>
  lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => '_aws' in record);

describe('a run fanned out over shards', () => {
  it('plans 3 shards of 4 connectors, scans each, and finishes with one verdict and one heartbeat', async () => {
    const lambda = await fannedLambda();
    const planned = await lambda.step({ kind: 'plan' });
    const plan = planned.result as RunPlan;
    // 12 connectors at 4 a shard: three shards, of two chargers each.
    expect(plan.shards).toEqual([
      { index: 0, of: 3 },
      { index: 1, of: 3 },
      { index: 2, of: 3 },
    ]);

    const outcomes: ShardOutcome[] = [];
    for (const shard of plan.shards) {
      const { result, error, lines } = await lambda.step({
        kind: 'shard',
        runId: plan.runId,
        startedAt: plan.startedAt,
        shard,
      });
      expect(error).toBeUndefined();
      // A shard publishes no metrics: only the run's end says whether the run succeeded.
      expect(emfOf(lines)).toEqual([]);
      outcomes.push(result as ShardOutcome);
    }
    expect(outcomes.map((o) => [o.connectors, o.failed])).toEqual([
      [4, 0],
      [4, 0],
      [4, 0],
    ]);

    const { result, error, lines } = await lambda.step({
      kind: 'finish',
      runId: plan.runId,
      startedAt: plan.startedAt,
      shards: outcomes,
    });
    expect(error).toBeUndefined();
    const report = result as { failed: unknown[]; totals: { fetched: number } };
    expect(report.failed).toEqual([]);
    // Every report the simulator served was fetched once, by exactly one shard, and archived.
    expect(report.totals.fetched).toBe(sim.stats.reportsServed);
    const reports = await s3.keys('archive/reports/');
    const quarantined = (await s3.keys('archive/quarantine/')).filter(
      (k) => !k.endsWith('.reason.json'),
    );
    expect(reports.length + quarantined.length).toBe(sim.stats.reportsServed);
    // One state document for the depot, committed by the run's end, with every connector in it.
    const state = await stateDocumentInS3(s3.client, s3.bucket, 'state/');
    expect(Object.keys(state.cursors)).toHaveLength(12);
    expect(state.outbox).toEqual([]);
    // Each shard kept its part for the run's end.
    expect(await s3.keys(`state/runs/${plan.runId}/`)).toHaveLength(3);
    const emf = emfOf(lines);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ ScanSucceeded: 1, connectorFailures: '0', runId: plan.runId });
    expect(lambda.published().length).toBeGreaterThan(0);
  });

  it('plans no shard while the credentials secret holds its placeholder, and finishes as not configured', async () => {
    const lambda = await fannedLambda(JSON.stringify(CREDENTIALS_PLACEHOLDER));
    const plan = (await lambda.step({ kind: 'plan' })).result as RunPlan;
    expect(plan.shards).toEqual([]);
    const finished = await lambda.step({ kind: 'finish', ...plan, shards: [] });
    expect(finished.error).toBeUndefined();
    expect((finished.result as ScanReport).notConfigured).toMatch(/^not configured yet: /);
    const emf = emfOf(finished.lines);
    expect(emf).toEqual([expect.objectContaining({ NotConfigured: 1 })]);
    expect(emf[0]).not.toHaveProperty('ScanSucceeded');
    expect(sim.issuedTokens()).toEqual([]);
    expect(lambda.published()).toEqual([]);
  });

  it('names the connectors of a shard that failed after its retries, and fails the run', async () => {
    const lambda = await fannedLambda();
    const plan = (await lambda.step({ kind: 'plan' })).result as RunPlan;
    const [first, second, third] = plan.shards;
    if (!first || !second || !third) throw new Error('expected three shards');
    const run = { runId: plan.runId, startedAt: plan.startedAt };
    const done = async (shard: typeof first) =>
      (await lambda.step({ kind: 'shard', ...run, shard })).result as ShardOutcome;
    const { error, lines } = await lambda.step({
      kind: 'finish',
      ...run,
      shards: [
        await done(first),
        // As the state machine's Catch passes on a shard that timed out twice.
        {
          shard: second,
          error: { Error: 'States.Timeout', Cause: 'Task timed out after 300.00 seconds' },
        },
        await done(third),
      ],
    });
    expect(error).toBeInstanceOf(ScanIncompleteError);
    // The second shard holds the third and fourth chargers, by hand: 4 connectors.
    expect((error as Error).message).toContain(
      '4 connector(s) could not be scanned: HPC-003/1, HPC-003/2, HPC-004/1, HPC-004/2',
    );
    const failed = (error as ScanIncompleteError).report.failed;
    expect(failed[0]?.error).toContain('shard shard-2-of-3 failed: States.Timeout');
    expect(emfOf(lines)[0]).toMatchObject({ ScanSucceeded: 0, connectorFailures: '4' });

    // The next run, whole or fanned out, scans them: their cursors were never written.
    expect((await s3.keys('state/cursors/')).filter((k) => /charger=HPC-00[34]\//.test(k))).toEqual(
      [],
    );
  });

  it('still scans the whole fleet in one invocation on a scheduled event', async () => {
    const lambda = await fannedLambda();
    const { result, error } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(error).toBeUndefined();
    expect(result?.failed).toEqual([]);
    expect(result?.totals.fetched).toBe(sim.stats.reportsServed);
    expect(await s3.keys('state/runs/')).toEqual([]);
  });
});
