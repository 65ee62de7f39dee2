import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originFromKey } from '../../functions/core/archive-layout.ts';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { ScanIncompleteError, type ScanReport } from '../../functions/lambda/scan-handler.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { capturingOutput, lambdaAgainst, scheduledEvent, stopStandIns } from '../helpers/lambda.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { startSimulator } from '../helpers/simulator.ts';

/**
 * Three consecutive, overlapping scheduled runs against a misbehaving world:
 * run 1 — throttling (with Retry-After), 5xx, a timeout, a token rejected mid-run, one charger
 *         failing every time, one S3 report write failing, one SNS publish failing, and one
 *         ledger write failing right after SNS accepted that connector's alerts;
 * run 2 — the process dies after its third report write (everything after it hangs forever);
 * run 3 — a clean run, 15 minutes later, that must mend everything.
 */
// Cursors are rewritten on every run here, so each run's cursor moves can be checked.
const SCAN = {
  initialLookbackHours: 6,
  concurrency: 1,
  maxAttempts: 8,
  requestTimeoutMs: 500,
  cursorRefreshMinutes: 0,
};
const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const FAILING = 'HPC-004';
let clock = T0;
let sim: DepotSimulator;
let s3: LocalS3;

/** S3 calls the test can break, and a count of successful writes per key. */
const s3Faults = {
  failReportPut: true,
  failLedgerAfterPublish: true,
  freezeAfterReportPuts: Number.POSITIVE_INFINITY,
};
const successfulPuts = new Map<string, number>();
let reportPuts = 0;
let publishedSinceLedgerWrite = false;
let ledgerFailedFor: string | undefined;
/** Fingerprints SNS accepted, in order, one entry per delivery. */
const delivered: string[] = [];
let failNextPublish = true;
const cursorsAfterRun: Map<string, string>[] = [];
/** Every report the API answered with, keyed by charger/connector/session. */
const served = new Map<string, { chargerId: string; connectorId: string; raw: unknown }>();

/** fetch, noting every report the API served, as the scan's only view of the world. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(String(input));
  if (url.pathname === '/v1/sessionReports' && response.status === 200) {
    const chargerId = url.searchParams.get('chargerId') ?? '';
    const connectorId = url.searchParams.get('connectorId') ?? '';
    const page = (await response.clone().json()) as { items: { sessionId: number }[] };
    for (const raw of page.items)
      served.set(`${chargerId}/${connectorId}/${raw.sessionId}`, { chargerId, connectorId, raw });
  }
  return response;
};
const failedInRun: Set<string>[] = [];

beforeAll(async () => {
  served.clear();
  sim = await startSimulator({
    fleet: { chargers: 4, anomalyEvery: 3, invalidEvery: 7, sessionIntervalMinutes: 60 },
    now: () => clock,
  });
  s3 = await startS3();
  wrapS3();
  const lambda = await lambdaAgainst(sim, s3, {
    now: () => clock,
    scan: SCAN,
    fetch: recordingFetch,
  });
  lambda.snsMock.on(PublishBatchCommand).callsFake(async (input) => {
    if (frozen()) return hang();
    if (failNextPublish) {
      failNextPublish = false;
      throw Object.assign(new Error('Internal error'), { name: 'InternalErrorException' });
    }
    for (const entry of input.PublishBatchRequestEntries)
      delivered.push(...fingerprintsIn(entry.Message));
    publishedSinceLedgerWrite = true;
    return { Successful: [], Failed: [] };
  });

  // Run 1: the API misbehaves in every documented way.
  sim.inject({ kind: 'status', status: 429, retryAfter: '1', times: 3, endpoint: 'reports' });
  sim.inject({ kind: 'status', status: 502, times: 2, endpoint: 'reports' });
  sim.inject({ kind: 'slow', delayMs: 800, times: 1, endpoint: 'reports' });
  sim.inject({ kind: 'status', status: 401, times: 2, endpoint: 'reports', chargerId: 'HPC-002' });
  sim.inject({ kind: 'status', status: 503, times: Number.POSITIVE_INFINITY, chargerId: FAILING });
  await run(lambda);

  // Run 2: dies after three report writes.
  clock = T0 + 15 * 60_000;
  s3Faults.freezeAfterReportPuts = reportPuts + 3;
  await Promise.race([
    run(await lambdaAgainstFresh()),
    new Promise((resolve) => setTimeout(resolve, 1_500)),
  ]);
  // The dead run's calls stay hung forever; the world goes on without them.
  s3Faults.freezeAfterReportPuts = Number.POSITIVE_INFINITY;
  failedInRun[1] = new Set(['*']); // a dead run vouches for nothing
  cursorsAfterRun[1] = await cursors();

  // Run 3: a new container, fifteen minutes later, nothing broken but the one charger.
  clock = T0 + 30 * 60_000;
  await run(await lambdaAgainstFresh());

  async function lambdaAgainstFresh() {
    const fresh = await lambdaAgainst(sim, s3, {
      now: () => clock,
      scan: SCAN,
      fetch: recordingFetch,
    });
    fresh.snsMock.on(PublishBatchCommand).callsFake(async (input) => {
      if (frozen()) return hang();
      for (const entry of input.PublishBatchRequestEntries)
        delivered.push(...fingerprintsIn(entry.Message));
      publishedSinceLedgerWrite = true;
      return { Failed: [] };
    });
    return fresh;
  }
}, 60_000);

afterAll(async () => {
  await sim.stop();
  await s3.stop();
  await stopStandIns();
});

async function run(lambda: Awaited<ReturnType<typeof lambdaAgainst>>): Promise<void> {
  const index = cursorsAfterRun.length;
  const { result, error } = await capturingOutput(() =>
    lambda.handler(scheduledEvent(new Date(clock).toISOString())),
  );
  const report: ScanReport | undefined =
    result ?? (error instanceof ScanIncompleteError ? error.report : undefined);
  if (!report) throw error;
  failedInRun[index] = new Set(report.failed.map((f) => `${f.chargerId}/${f.connectorId}`));
  cursorsAfterRun[index] = await cursors();
}

function frozen(): boolean {
  return reportPuts >= s3Faults.freezeAfterReportPuts;
}

function hang(): Promise<never> {
  return new Promise(() => undefined);
}

function wrapS3(): void {
  const send = s3.client.send.bind(s3.client) as (command: unknown) => Promise<unknown>;
  (s3.client as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (
    command,
  ) => {
    if (frozen()) return hang();
    if (command instanceof PutObjectCommand) {
      const key = command.input.Key ?? '';
      if (key.includes('/reports/') && s3Faults.failReportPut) {
        s3Faults.failReportPut = false;
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      if (
        key.includes('/ledger/') &&
        publishedSinceLedgerWrite &&
        s3Faults.failLedgerAfterPublish
      ) {
        s3Faults.failLedgerAfterPublish = false;
        ledgerFailedFor = key;
        throw Object.assign(new Error('Service unavailable'), {
          name: 'ServiceUnavailable',
          $metadata: { httpStatusCode: 503 },
        });
      }
      if (key.includes('/ledger/')) publishedSinceLedgerWrite = false;
      const response = await send(command);
      successfulPuts.set(key, (successfulPuts.get(key) ?? 0) + 1);
      if (key.includes('/reports/')) reportPuts++;
      return response;
    }
    return send(command);
  };
}

function fingerprintsIn(message: string | undefined): string[] {
  const body = JSON.parse(JSON.parse(message ?? '{}').default) as {
    findings: { fingerprint: string }[];
    notListed: { fingerprint: string }[];
  };
  return [...body.findings, ...body.notListed].map((f) => f.fingerprint);
}

async function cursors(): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const key of await s3.keys('state/cursors/')) {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const cursor = JSON.parse((await object.Body?.transformToString()) ?? '{}');
    result.set(`${cursor.chargerId}/${cursor.connectorId}`, cursor.fetchedUntil);
  }
  return result;
}

/** What the API served, validated: the reports to archive and the faults to alert. */
function servedReports() {
  const thresholds = defaultThresholds();
  return [...served.values()].map(({ chargerId, connectorId, raw }) => {
    const validation = validateSessionReport(raw);
    const origin = { chargerId, connectorId };
    return validation.ok
      ? {
          ...origin,
          key: `archive/reports/charger=${chargerId}/connector=${connectorId}/date=${validation.sessionDate}/${validation.report.sessionId}.json`,
          fingerprints: evaluateReport(validation.report, thresholds, origin).findings.map(
            (f) => f.fingerprint,
          ),
        }
      : { ...origin, key: undefined, fingerprints: [] };
  });
}

describe('three overlapping runs through throttling, failures and a crash', () => {
  it('archived every report it was served exactly once, and quarantined every invalid one', async () => {
    const reports = servedReports();
    expect(reports.length).toBeGreaterThan(20);
    const reportKeys = await s3.keys('archive/reports/');
    expect(reportKeys).toEqual(reports.flatMap((r) => (r.key ? [r.key] : [])).sort());
    for (const key of reportKeys) expect(successfulPuts.get(key)).toBe(1);
    const quarantined = (await s3.keys('archive/quarantine/')).filter(
      (k) => !k.endsWith('.reason.json'),
    );
    expect(quarantined).toHaveLength(reports.filter((r) => !r.key).length);
    expect(quarantined.length).toBeGreaterThan(0);
    expect(reportKeys.some((k) => k.includes(FAILING))).toBe(false);
  });

  it('alerted every fault exactly once, but for the documented at-least-once case', async () => {
    const reports = servedReports();
    const expected = reports.flatMap((r) => r.fingerprints);
    expect(expected.length).toBeGreaterThan(5);
    expect(new Set(delivered)).toEqual(new Set(expected));

    // The at-least-once exception: SNS took a connector's alerts, then its ledger write failed,
    // so the next run sent them again. Only that connector's alerts may repeat, and only once.
    const counts = new Map<string, number>();
    for (const fp of delivered) counts.set(fp, (counts.get(fp) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1);
    const origin = originFromKey((ledgerFailedFor ?? '').replace(/\.json$/, '/'));
    const ofThatConnector = reports
      .filter((r) => r.chargerId === origin?.chargerId && r.connectorId === origin?.connectorId)
      .flatMap((r) => r.fingerprints);
    expect(repeated.length).toBeGreaterThan(0);
    for (const [fp, n] of repeated) {
      expect(n).toBe(2);
      expect(ofThatConnector).toContain(fp);
    }
  });

  it('moved each cursor only past windows it finished, and never for the charger that always fails', () => {
    const [afterFirst, afterCrash, afterLast] = cursorsAfterRun;
    const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
    for (const connector of failedInRun[0] ?? []) expect(afterFirst?.has(connector)).toBe(false);
    for (const position of afterFirst?.values() ?? []) expect(position).toBe(at(0));
    // The dead run moved only the cursors of connectors it finished before it died.
    for (const [connector, position] of afterCrash ?? []) {
      expect([afterFirst?.get(connector), at(15)]).toContain(position);
    }
    expect(afterLast?.size).toBe(6);
    for (const position of afterLast?.values() ?? []) expect(position).toBe(at(30));
    expect([...(afterLast?.keys() ?? [])].some((c) => c.startsWith(FAILING))).toBe(false);
  });

  it('saw the faults it was meant to see in the first run', () => {
    expect([...(failedInRun[0] ?? [])].sort()).toEqual(
      expect.arrayContaining([`${FAILING}/1`, `${FAILING}/2`]),
    );
    expect(failedInRun[0]?.size).toBeGreaterThanOrEqual(5); // + report write, SNS publish, ledger write
    expect(failedInRun[2]).toEqual(new Set([`${FAILING}/1`, `${FAILING}/2`]));
  });
});
