import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { S3State } from '../../functions/adapters/s3-state.ts';
import type { AttributionState } from '../../functions/core/fleet/attribution-state.ts';
import { type KpiSession, rollUpDay } from '../../functions/core/fleet/daily-kpis.ts';
import {
  connectorKey,
  emptyDocument,
  type StateDocument,
} from '../../functions/scan/state-document.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { s3rverClient } from '../helpers/s3rver-client.ts';

const DAY = '2026-11-24';

const session = (id: string, deliveredWh: number, connectorId = '1'): KpiSession => ({
  key: `${id}@${DAY}`,
  origin: { chargerId: 'HPC-001', connectorId },
  facts: { day: DAY, deliveredWh, reachedTarget: true, faultedMinutes: 0 },
  findings: [],
});

const attribution = (sessions: number): AttributionState => ({
  version: 2,
  failures: [],
  cleanByConnector: {},
  cleanByVehicle: {},
  seen: {
    'HPC-001\u001f1': Array.from({ length: sessions }, (_, i) => [
      `${i}@${DAY}`,
      `${DAY}T0${i}:00:00.000Z`,
    ]),
  },
  subjects: {},
});

/** A document as run `runId` would commit it as version `seq`, with one cursor and a record. */
const documentOf = (seq: number, runId: string, fetchedUntil: string): StateDocument => {
  const origin = { chargerId: 'HPC-001', connectorId: '1' };
  return {
    ...emptyDocument(),
    seq,
    runId,
    committedAt: fetchedUntil,
    cursors: { [connectorKey(origin)]: { ...origin, fetchedUntil, updatedAt: fetchedUntil } },
    attribution: attribution(seq),
  };
};

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3.stop();
});

/**
 * A client of the local S3 that honours `If-Match` and `If-None-Match` on PUT as S3 does (s3rver
 * ignores them), and can run something just before a PUT goes out, to stage a race.
 */
function conditionalClient(beforePut?: () => Promise<void>) {
  const client = s3rverClient(s3.endpoint);
  const puts: { key: string; outcome: 'written' | 'refused' }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutObjectCommand') return next(args);
      const input = args.input as { Key: string; IfMatch?: string; IfNoneMatch?: string };
      await beforePut?.();
      const current = await s3.client
        .send(new HeadObjectCommand({ Bucket: s3.bucket, Key: input.Key }))
        .then((head) => head.ETag)
        .catch(() => undefined);
      const refused =
        (input.IfNoneMatch === '*' && current !== undefined) ||
        (input.IfMatch !== undefined && input.IfMatch !== current);
      puts.push({ key: input.Key, outcome: refused ? 'refused' : 'written' });
      if (refused)
        throw Object.assign(new Error('At least one of the pre-conditions did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      return next(args);
    },
    { step: 'initialize', name: 'conditionalPut' },
  );
  return { client, puts };
}

const text = async (key: string) =>
  (
    await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
  ).Body?.transformToString();

describe('KPI partitions and the state document in the S3 state', () => {
  it('keeps a day’s rows as JSON Lines under kpis/date=YYYY-MM-DD/, and reads them back', async () => {
    const { client } = conditionalClient();
    const state = new S3State(client, { bucket: s3.bucket, prefix: 'rt/' });
    expect(await state.loadDailyKpis(DAY)).toEqual([]);
    await state.saveDailyKpis(
      DAY,
      rollUpDay([], DAY, [session('a', 40_000), session('b', 25_000, '2')]),
    );
    expect(await s3.keys('rt/')).toEqual(['rt/kpis/date=2026-11-24/kpis.jsonl']);
    const lines = ((await text('rt/kpis/date=2026-11-24/kpis.jsonl')) ?? '').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      date: DAY,
      connectorId: '1',
      energyDeliveredKwh: 40,
    });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ connectorId: '2', energyDeliveredKwh: 25 });
    const fresh = new S3State(client, { bucket: s3.bucket, prefix: 'rt/' });
    expect((await fresh.loadDailyKpis(DAY)).map((r) => r.sessions)).toEqual([1, 1]);
  });

  it('replaces a day’s partition whole when it is saved again', async () => {
    const state = new S3State(conditionalClient().client, { bucket: s3.bucket, prefix: 'again/' });
    await state.saveDailyKpis(DAY, rollUpDay([], DAY, [session('a', 1_000)]));
    const first = await state.loadDailyKpis(DAY);
    // Connector 1: a 1 000 + c 10 000 Wh = 11 kWh over 2 sessions.
    await state.saveDailyKpis(DAY, rollUpDay(first, DAY, [session('c', 10_000)]));
    const rows = await state.loadDailyKpis(DAY);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sessions: 2, energyDeliveredKwh: 11 });
    expect(await s3.keys('again/')).toEqual(['again/kpis/date=2026-11-24/kpis.jsonl']);
  });

  it('refuses a day that is not YYYY-MM-DD, so no key escapes its partition', async () => {
    const state = new S3State(conditionalClient().client, { bucket: s3.bucket, prefix: 'bad/' });
    await expect(state.loadDailyKpis('2026-11-24/../x')).rejects.toThrow(/YYYY-MM-DD/);
    await expect(state.saveDailyKpis('24.11.2026', [])).rejects.toThrow(/YYYY-MM-DD/);
    expect(await s3.keys('bad/')).toEqual([]);
  });

  it('keeps the state document at state.json, with its attribution record, and reads it back', async () => {
    const { client } = conditionalClient();
    const state = new S3State(client, { bucket: s3.bucket, prefix: 'doc/' });
    expect(await state.loadDocument()).toBeUndefined();
    const version = await state.commitDocument(
      documentOf(1, 'run-1', '2026-11-24T10:00:00.000Z'),
      undefined,
    );
    expect(version).toBeTruthy();
    expect(await s3.keys('doc/')).toEqual(['doc/state.json']);
    const stored = await new S3State(client, { bucket: s3.bucket, prefix: 'doc/' }).loadDocument();
    expect(stored?.version).toBe(version);
    expect(stored?.document).toEqual(documentOf(1, 'run-1', '2026-11-24T10:00:00.000Z'));
    expect(stored?.document.attribution).toEqual(attribution(1));
  });

  it('refuses a commit over a stale version, or a first commit over one already there', async () => {
    const { client, puts } = conditionalClient();
    const state = new S3State(client, { bucket: s3.bucket, prefix: 'cas/' });
    const v1 = await state.commitDocument(
      documentOf(1, 'run-1', '2026-11-24T10:00:00.000Z'),
      undefined,
    );
    expect(v1).toBeTruthy();
    expect(
      await state.commitDocument(documentOf(1, 'run-x', '2026-11-24T09:00:00.000Z'), undefined),
    ).toBeUndefined();
    const v2 = await state.commitDocument(documentOf(2, 'run-2', '2026-11-24T10:15:00.000Z'), v1);
    expect(v2).toBeTruthy();
    expect(v2).not.toBe(v1);
    expect(
      await state.commitDocument(documentOf(2, 'run-y', '2026-11-24T09:30:00.000Z'), v1),
    ).toBeUndefined();
    expect(puts.map((p) => p.outcome)).toEqual(['written', 'refused', 'written', 'refused']);
    const stored = await state.loadDocument();
    expect(stored?.version).toBe(v2);
    expect(stored?.document.runId).toBe('run-2');
  });

  it('lets only one of two runs that read the same version commit over it', async () => {
    await new S3State(s3.client, { bucket: s3.bucket, prefix: 'race/' }).commitDocument(
      documentOf(1, 'run-1', '2026-11-24T10:00:00.000Z'),
      undefined,
    );
    const other = new S3State(conditionalClient().client, { bucket: s3.bucket, prefix: 'race/' });
    let staged = false;
    // Just before the first run's PUT (it has read version 1 already), the second reads the
    // same version and commits over it: the first run's ETag is then stale.
    const first = conditionalClient(async () => {
      if (staged) return;
      staged = true;
      const read = await other.loadDocument();
      expect(
        await other.commitDocument(
          documentOf(2, 'run-b', '2026-11-24T10:30:00.000Z'),
          read?.version,
        ),
      ).toBeTruthy();
    });
    const state = new S3State(first.client, { bucket: s3.bucket, prefix: 'race/' });
    const read = await state.loadDocument();
    expect(read?.document.runId).toBe('run-1');
    expect(
      await state.commitDocument(documentOf(2, 'run-a', '2026-11-24T10:15:00.000Z'), read?.version),
    ).toBeUndefined();
    expect(first.puts.map((p) => p.outcome)).toEqual(['refused']);
    expect((await state.loadDocument())?.document.runId).toBe('run-b');
  });

  it('names the object when state.json is not a state document, never reading it as empty', async () => {
    const state = new S3State(s3.client, { bucket: s3.bucket, prefix: 'junk/' });
    await s3.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'junk/state.json', Body: '{"cursors":{}}' }),
    );
    await expect(state.loadDocument()).rejects.toThrow(/junk\/state\.json/);
  });
});

describe('KPI partitions and the state document in a local state folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'depot-watch-kpi-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a day’s rows as JSON Lines in kpis/date=YYYY-MM-DD/kpis.jsonl', async () => {
    const state = new LocalState(dir);
    expect(await state.loadDailyKpis(DAY)).toEqual([]);
    await state.saveDailyKpis(
      DAY,
      rollUpDay([], DAY, [session('a', 40_000), session('b', 25_000, '2')]),
    );
    await state.saveDailyKpis(
      DAY,
      rollUpDay(await state.loadDailyKpis(DAY), DAY, [session('c', 10_000)]),
    );
    const lines = (await readFile(join(dir, 'kpis', 'date=2026-11-24', 'kpis.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    // Connector 1: a 40 000 + c 10 000 Wh = 50 kWh over 2 sessions; connector 2: 25 kWh.
    expect(lines.map((r) => [r.connectorId, r.sessions, r.energyDeliveredKwh])).toEqual([
      ['1', 2, 50],
      ['2', 1, 25],
    ]);
    expect(await new LocalState(dir).loadDailyKpis(DAY)).toEqual(lines);
  });

  it('refuses a day that is not YYYY-MM-DD', async () => {
    const state = new LocalState(dir);
    await expect(state.loadDailyKpis('2026-11-24/../x')).rejects.toThrow(/YYYY-MM-DD/);
    await expect(state.saveDailyKpis('24.11.2026', [])).rejects.toThrow(/YYYY-MM-DD/);
  });

  it('commits the state document as numbered versions, the newest read, a stale commit refused', async () => {
    const folder = join(dir, 'doc');
    const state = new LocalState(folder);
    expect(await state.loadDocument()).toBeUndefined();
    expect(
      await state.commitDocument(documentOf(1, 'run-1', '2026-11-24T10:00:00.000Z'), undefined),
    ).toBe('1');
    expect(
      await state.commitDocument(documentOf(2, 'run-2', '2026-11-24T10:15:00.000Z'), '1'),
    ).toBe('2');
    // Another run that read version 1 too commits over it second: refused, as is a first
    // commit once there is one.
    expect(
      await state.commitDocument(documentOf(2, 'run-x', '2026-11-24T10:20:00.000Z'), '1'),
    ).toBeUndefined();
    expect(
      await state.commitDocument(documentOf(1, 'run-y', '2026-11-24T10:20:00.000Z'), undefined),
    ).toBeUndefined();
    const stored = await new LocalState(folder).loadDocument();
    expect(stored).toEqual({
      version: '2',
      document: documentOf(2, 'run-2', '2026-11-24T10:15:00.000Z'),
    });
    expect(stored?.document.attribution).toEqual(attribution(2));
    expect(await readdir(join(folder, 'state'))).toEqual([
      '000000000001.json',
      '000000000002.json',
    ]);
  });

  it('keeps two versions besides the newest and removes older ones', async () => {
    const folder = join(dir, 'versions');
    const state = new LocalState(folder);
    let over: string | undefined;
    for (let seq = 1; seq <= 5; seq++)
      over = await state.commitDocument(
        documentOf(seq, `run-${seq}`, `2026-11-24T1${seq}:00:00.000Z`),
        over,
      );
    expect(over).toBe('5');
    expect(await readdir(join(folder, 'state'))).toEqual([
      '000000000003.json',
      '000000000004.json',
      '000000000005.json',
    ]);
    expect((await state.loadDocument())?.document.runId).toBe('run-5');
  });
});
