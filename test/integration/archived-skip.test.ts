import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArchive } from '../../functions/adapters/local-archive.ts';
import { S3Archive } from '../../functions/adapters/s3-archive.ts';
import { S3State } from '../../functions/adapters/s3-state.ts';
import { reportKey } from '../../functions/core/archive-layout.ts';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import type { StateDocument } from '../../functions/scan/state-document.ts';
import { runFailed } from '../../functions/scan/summary.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { s3rverClient } from '../helpers/s3rver-client.ts';
import { configFor, scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

const START = Date.parse('2026-11-24T12:00:00.000Z');
const HOUR = 3_600_000;
const OVERLAP_MINUTES = 12 * 60;
let clock = START;
const now = () => clock;
let sim: DepotSimulator;
let s3: LocalS3;
let dir: string;

beforeEach(async () => {
  clock = START;
  sim = await startSimulator({ fleet: { chargers: 2, invalidEvery: 7 }, now });
  s3 = await startS3();
  dir = await mkdtemp(join(tmpdir(), 'depot-watch-archived-skip-'));
});
afterEach(async () => {
  await sim.stop();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One S3 request as sent: its command and the key it named. */
interface SentRequest {
  command: string;
  key: string;
}

/** An S3 client for the test's s3rver that records every request it sends, by command and key. */
function countingClient(): { client: S3Client; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const client = s3rverClient(s3.endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string; Prefix?: string };
      sent.push({ command: context.commandName ?? '?', key: input.Key ?? input.Prefix ?? '' });
      return next(args);
    },
    { step: 'initialize', name: 'recordS3Requests' },
  );
  return { client, sent };
}

/** The simulator's record of what it serves for the whole fleet between two instants. */
function served(from: number, to: number) {
  return sim.fleet
    .chargerIds()
    .flatMap((chargerId) =>
      sim.fleet
        .connectorIds()
        .flatMap((connectorId) => sim.fleet.sessionsBetween(chargerId, connectorId, from, to, to)),
    );
}

/** The archive keys (under `archive/`) of the valid reports among `sessions`. */
function archiveKeysOf(sessions: ReturnType<typeof served>): string[] {
  return sessions
    .flatMap((s) => {
      const validation = validateSessionReport(s.report);
      if (!validation.ok) return [];
      return [`archive/${reportKey(s, validation.sessionDate, String(s.sessionId))}`];
    })
    .sort();
}

/** Findings the rules give for the valid reports among `sessions`. */
function findingsOf(sessions: ReturnType<typeof served>): number {
  const thresholds = defaultThresholds();
  return sessions.reduce((n, s) => {
    const validation = validateSessionReport(s.report);
    return validation.ok ? n + evaluateReport(validation.report, thresholds, s).findings.length : n;
  }, 0);
}

const reportRequests = (sent: SentRequest[], command: string) =>
  sent.filter((r) => r.command === command && r.key.startsWith('archive/reports/'));

function s3Adapters(client: S3Client) {
  return {
    archive: new S3Archive(client, { bucket: s3.bucket, prefix: 'archive/' }),
    state: new S3State(client, { bucket: s3.bucket, prefix: 'state/' }),
  };
}

describe('a run over an overlapping window', () => {
  it('sends no request for the reports an earlier run archived, and one create-only PUT for each new one', async () => {
    const config = configFor(sim, dir, { overlapMinutes: OVERLAP_MINUTES });
    const { client, sent } = countingClient();
    const first = await scanOnce(config, now, s3Adapters(client));
    expect(runFailed(first)).toBe(false);
    const firstSessions = served(START - 24 * HOUR, START);
    const archivedFirst = await s3.keys('archive/reports/');
    expect(archivedFirst).toEqual(archiveKeysOf(firstSessions));
    expect(first.totals.archived).toBe(archivedFirst.length);

    sent.length = 0;
    clock += 30 * 60_000;
    const second = await scanOnce(config, now, s3Adapters(client));
    expect(runFailed(second)).toBe(false);
    const secondSessions = served(START - OVERLAP_MINUTES * 60_000, clock);
    const reread = archiveKeysOf(secondSessions).filter((key) => archivedFirst.includes(key));
    const fresh = archiveKeysOf(secondSessions).filter((key) => !archivedFirst.includes(key));
    expect(reread.length).toBeGreaterThan(2);
    expect(fresh.length).toBeGreaterThan(0);

    // Not one request about a report the first run archived: the incident record knew them.
    expect(reportRequests(sent, 'HeadObjectCommand')).toEqual([]);
    expect(
      reportRequests(sent, 'PutObjectCommand')
        .map((r) => r.key)
        .sort(),
    ).toEqual(fresh);
    expect(await s3.keys('archive/reports/')).toEqual(
      archiveKeysOf([...firstSessions, ...secondSessions]).filter(
        (k, i, all) => all.indexOf(k) === i,
      ),
    );

    // Counted and judged as before: the skipped reports are already archived, and every
    // report read went through the rules.
    expect(second.totals).toMatchObject({
      fetched: secondSessions.length,
      archived: fresh.length,
      alreadyArchived: reread.length,
      findings: findingsOf(secondSessions),
    });
  });

  it('asks the archive again after a crash before the incident record was saved: no duplicate, no report lost', async () => {
    const config = configFor(sim, dir, { overlapMinutes: OVERLAP_MINUTES });
    const { client, sent } = countingClient();
    const crashing = s3Adapters(client);
    // The archive is written, then the state store fails as the run commits its records.
    crashing.state.commitDocument = async (_: StateDocument) => {
      throw new Error('state store unavailable');
    };
    const first = await scanOnce(config, now, crashing);
    expect(runFailed(first)).toBe(true);
    const archivedFirst = await s3.keys('archive/reports/');
    expect(archivedFirst.length).toBeGreaterThan(2);
    expect(await s3.keys('state/state.json')).toEqual([]);

    sent.length = 0;
    const secondRunFrom = s3.layer.requests.length;
    clock += 30 * 60_000;
    const second = await scanOnce(config, now, s3Adapters(client));
    expect(runFailed(second)).toBe(false);
    // No cursor moved, so the window is the first run's again, reaching back from now.
    const secondSessions = served(clock - 24 * HOUR, clock);
    const secondKeys = archiveKeysOf(secondSessions);
    const reread = secondKeys.filter((key) => archivedFirst.includes(key));
    expect(reread.length).toBeGreaterThan(2);

    // What the lost record would have vouched for is offered to the archive create-only, and S3
    // refuses every one of them (412): nothing the first run archived is written again.
    const puts = reportRequests(sent, 'PutObjectCommand').map((r) => r.key);
    expect(puts.sort()).toEqual(secondKeys);
    const secondRun = s3.layer.requests.slice(secondRunFrom);
    expect(
      secondRun.filter((r) => r.method === 'PUT' && reread.includes(r.key)).map((r) => r.status),
    ).toEqual(reread.map(() => 412));
    expect(second.totals).toMatchObject({
      archived: secondKeys.length - reread.length,
      alreadyArchived: reread.length,
    });
    const everyReport = archiveKeysOf([
      ...served(START - 24 * HOUR, START),
      ...secondSessions,
    ]).filter((k, i, all) => all.indexOf(k) === i);
    expect(await s3.keys('archive/reports/')).toEqual(everyReport);

    // Once the record is saved, the run after sends no request for them.
    sent.length = 0;
    clock += 30 * 60_000;
    await scanOnce(config, now, s3Adapters(client));
    const asked = reportRequests(sent, 'PutObjectCommand').map((r) => r.key);
    expect(asked.filter((key) => everyReport.includes(key))).toEqual([]);
  });

  it('spares the local folder archive the same way', async () => {
    const config = configFor(sim, dir, { overlapMinutes: OVERLAP_MINUTES });
    const archive = new LocalArchive(join(dir, 'archive'));
    const asked: string[] = [];
    const put = archive.putReport.bind(archive);
    archive.putReport = async (origin, sessionDate, sessionId, body) => {
      asked.push(`archive/${reportKey(origin, sessionDate, sessionId)}`);
      return put(origin, sessionDate, sessionId, body);
    };
    await scanOnce(config, now, { archive });
    const archivedFirst = [...asked].sort();
    expect(archivedFirst).toEqual(archiveKeysOf(served(START - 24 * HOUR, START)));

    asked.length = 0;
    clock += 30 * 60_000;
    const second = await scanOnce(config, now, { archive });
    const secondKeys = archiveKeysOf(served(START - OVERLAP_MINUTES * 60_000, clock));
    const reread = secondKeys.filter((key) => archivedFirst.includes(key));
    expect(reread.length).toBeGreaterThan(2);
    expect(asked.sort()).toEqual(secondKeys.filter((key) => !archivedFirst.includes(key)));
    expect(second.totals.alreadyArchived).toBe(reread.length);
  });
});
