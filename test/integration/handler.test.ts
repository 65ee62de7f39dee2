import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScanIncompleteError } from '../../functions/lambda/scan-handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { capturingOutput, lambdaAgainst, scheduledEvent, stopStandIns } from '../helpers/lambda.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { startSimulator } from '../helpers/simulator.ts';
import { stateDocumentInS3 } from '../helpers/state-document.ts';

let sim: DepotSimulator;
let s3: LocalS3;
beforeEach(async () => {
  // A fault in every other session: whatever the hour, the 8-hour window holds a critical one.
  sim = await startSimulator({ fleet: { chargers: 3, invalidEvery: 7, anomalyEvery: 2 } });
  s3 = await startS3();
});
afterEach(async () => {
  await sim.stop();
  await s3.stop();
  await stopStandIns();
});

const json = (lines: string[]) =>
  lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON log line: ${line}`);
    }
  });

describe('the scheduled Lambda handler', () => {
  it('scans on a scheduled event, archives to S3, alerts through SNS, and emits as metrics only what the alarms watch', async () => {
    const lambda = await lambdaAgainst(sim, s3);
    const { result, error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(error).toBeUndefined();
    expect(result?.failed).toEqual([]);
    expect(result?.totals.fetched).toBeGreaterThan(20);

    const reports = await s3.keys('archive/reports/');
    const quarantined = (await s3.keys('archive/quarantine/')).filter(
      (k) => !k.endsWith('.reason.json'),
    );
    expect(reports.length + quarantined.length).toBe(result?.totals.fetched);
    expect(quarantined.length).toBe(result?.totals.quarantined);
    expect(
      Object.keys((await stateDocumentInS3(s3.client, s3.bucket, 'state/')).cursors),
    ).toHaveLength(6);
    expect(lambda.published().length).toBeGreaterThan(0);

    const records = json(lines);
    expect(records.every((r) => typeof r === 'object')).toBe(true);
    const emf = records.filter((r) => '_aws' in r) as (Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string }[];
        }[];
      };
    })[];
    // Each metric name × dimension set is billed monthly: only the alarmed ones are metrics.
    expect(emf).toHaveLength(1);
    const [run] = emf;
    expect(run?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'DepotWatch',
        Dimensions: [['service']],
        Metrics: [{ Name: 'ScanSucceeded', Unit: 'Count' }],
      },
    ]);
    expect(run).toMatchObject({
      ScanSucceeded: 1,
      // A log field of the same line, not a metric: the error alarm reads Lambda's Errors.
      connectorFailures: '0',
      runId: result?.runId,
      apiRetries: '0',
    });
    expect(Number(run?.durationMs)).toBeGreaterThanOrEqual(0);
    // The rest of the run's counts, per rule included, are fields of its log line.
    const finished = records.find((r) => r.message === 'scan finished');
    expect(finished).toMatchObject({
      service: 'depot-watch',
      runId: result?.runId,
      fetched: result?.totals.fetched,
      archived: result?.totals.archived,
      quarantined: result?.totals.quarantined,
      findings: result?.totals.findings,
      alerted: result?.totals.alerted,
      findingsByRule: result?.totals.findingsByRule,
      failedConnectors: 0,
    });
    expect(Object.keys(result?.totals.findingsByRule ?? {}).length).toBeGreaterThan(0);
  });

  it('finishes the other chargers, then fails the invocation naming the ones it could not scan', async () => {
    sim.inject({
      kind: 'status',
      status: 503,
      chargerId: 'HPC-002',
      times: Number.POSITIVE_INFINITY,
    });
    const lambda = await lambdaAgainst(sim, s3);
    const { error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(error).toBeInstanceOf(ScanIncompleteError);
    expect((error as Error).message).toBe(
      '2 connector(s) could not be scanned: HPC-002/1, HPC-002/2',
    );
    expect((error as ScanIncompleteError).report.totals.fetched).toBeGreaterThan(10);
    const cursors = Object.values(
      (await stateDocumentInS3(s3.client, s3.bucket, 'state/')).cursors,
    );
    expect(cursors.filter((c) => c.chargerId === 'HPC-002')).toEqual([]);
    expect(cursors.filter((c) => c.chargerId === 'HPC-003')).toHaveLength(2);
    const records = json(lines);
    expect(records.find((r) => 'connectorFailures' in r)).toMatchObject({
      connectorFailures: '2',
      ScanSucceeded: 0,
    });
    expect(
      records.some(
        (r) =>
          r.level === 'ERROR' && r.message === 'connector scan failed' && r.chargerId === 'HPC-002',
      ),
    ).toBe(true);
  });

  it("logs each notice sent with its event and severity, and the run's retries and 429s, for the dashboard", async () => {
    sim.inject({ kind: 'status', status: 429, endpoint: 'reports', times: 2 });
    sim.inject({ kind: 'status', status: 503, endpoint: 'reports', times: 1 });
    const lambda = await lambdaAgainst(sim, s3);
    const { result, error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(error).toBeUndefined();
    const records = json(lines);

    const sent = records.filter((r) => r.message === 'notice sent');
    expect(sent.length).toBe(result?.totals.alerted);
    expect(sent.length).toBeGreaterThan(0);
    for (const line of sent) {
      expect(line.event).toMatch(/^(open|reminder|escalate|resolve|attributed)$/);
      expect(line.severity).toMatch(/^(info|warning|critical)$/);
      expect(line).not.toHaveProperty('title');
    }
    expect(records.find((r) => r.message === 'api retries')).toMatchObject({
      runId: result?.runId,
      apiRetries: 3,
      apiThrottled: 2,
    });
  });

  it('reads config and credentials through the Parameters and Secrets extension once per warm container', async () => {
    const lambda = await lambdaAgainst(sim, s3);
    await capturingOutput(() => lambda.handler(scheduledEvent()));
    await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(lambda.extension.requests).toEqual([
      '/systemsmanager/parameters/get',
      '/secretsmanager/get',
    ]);
  });

  it('never lets the client secret or an access token reach a log line, an alert or the archive', async () => {
    const secret = 'cs-LEAK-CANARY-5d1e0b7a';
    await sim.stop();
    sim = await startSimulator({
      fleet: { chargers: 6, invalidEvery: 5, anomalyEvery: 2 },
      clientSecret: secret,
    });
    sim.inject({ kind: 'status', status: 401, endpoint: 'reports' }); // forces a second token mid-run
    sim.inject({
      kind: 'status',
      status: 500,
      chargerId: 'HPC-002',
      times: Number.POSITIVE_INFINITY,
    });
    const lambda = await lambdaAgainst(sim, s3, { clientSecret: secret });
    const { error, lines } = await capturingOutput(() => lambda.handler(scheduledEvent()));
    expect(error).toBeInstanceOf(ScanIncompleteError);

    const objects = await Promise.all(
      (await s3.keys()).map(async (key) => {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        return `${key}\n${await object.Body?.transformToString()}`;
      }),
    );
    const messages = lambda.published().map((entry) => JSON.stringify(entry));
    const haystack = [...lines, ...messages, ...objects, String(error), JSON.stringify(error)].join(
      '\n',
    );
    expect(objects.length).toBeGreaterThan(10);
    expect(messages.length).toBeGreaterThan(0);
    expect(sim.issuedTokens()).toHaveLength(2);
    for (const needle of [
      secret,
      Buffer.from(`demo-client:${secret}`).toString('base64'),
      ...sim.issuedTokens(),
    ]) {
      expect(haystack).not.toContain(needle);
    }
  });
});
