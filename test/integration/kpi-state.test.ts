import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalState } from '../../functions/adapters/local-state.ts';
import { S3State } from '../../functions/adapters/s3-state.ts';
import type { AttributionState } from '../../functions/core/fleet/attribution-state.ts';
import { type KpiSession, rollUpDay } from '../../functions/core/fleet/daily-kpis.ts';
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

describe('KPI rows and the attribution record in the S3 state', () => {
  it('keeps a day’s rows as JSON Lines under kpis/date=YYYY-MM-DD/, and reads them back', async () => {
    const { client } = conditionalClient();
    const state = new S3State(client, { bucket: s3.bucket, prefix: 'rt/' });
    expect(await state.loadDailyKpis(DAY)).toEqual([]);
    await state.updateDailyKpis(DAY, (rows) =>
      rollUpDay(rows, DAY, [session('a', 40_000), session('b', 25_000, '2')]),
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

  it('writes nothing when the change leaves the rows as they were', async () => {
    const { client, puts } = conditionalClient();
    const state = new S3State(client, { bucket: s3.bucket, prefix: 'same/' });
    await state.updateDailyKpis(DAY, (rows) => rollUpDay(rows, DAY, [session('a', 1_000)]));
    await state.updateDailyKpis(DAY, (rows) => rollUpDay(rows, DAY, [session('a', 1_000)]));
    expect(puts).toHaveLength(1);
  });

  it('counts both sessions when two writers read the same day and then both write', async () => {
    const other = new S3State(conditionalClient().client, { bucket: s3.bucket, prefix: 'race/' });
    let staged = false;
    // Just before the first writer's PUT (it has read the day already), the second reads and
    // writes the same day: the first writer's ETag is then stale.
    const first = conditionalClient(async () => {
      if (staged) return;
      staged = true;
      await other.updateDailyKpis(DAY, (rows) => rollUpDay(rows, DAY, [session('b', 30_000)]));
    });
    const state = new S3State(first.client, { bucket: s3.bucket, prefix: 'race/' });
    await state.updateDailyKpis(DAY, (rows) => rollUpDay(rows, DAY, [session('a', 50_000)]));
    expect(first.puts.map((p) => p.outcome)).toEqual(['refused', 'written']);
    const rows = await state.loadDailyKpis(DAY);
    // a 50 000 Wh + b 30 000 Wh = 80 kWh over 2 sessions.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sessions: 2, energyDeliveredKwh: 80 });
    expect([...(rows[0]?.sessionKeys ?? [])].sort()).toEqual(['a@2026-11-24', 'b@2026-11-24']);
  });

  it('refuses a day that is not YYYY-MM-DD, so no key escapes its partition', async () => {
    const state = new S3State(conditionalClient().client, { bucket: s3.bucket, prefix: 'bad/' });
    await expect(state.loadDailyKpis('2026-11-24/../x')).rejects.toThrow(/YYYY-MM-DD/);
    await expect(state.updateDailyKpis('24.11.2026', (rows) => [...rows])).rejects.toThrow(
      /YYYY-MM-DD/,
    );
  });

  it('keeps the attribution record at fleet/attribution.json', async () => {
    const { client } = conditionalClient();
    const state = new S3State(client, { bucket: s3.bucket, prefix: 'attr/' });
    expect(await state.loadAttribution()).toBeUndefined();
    await state.saveAttribution(attribution(2));
    expect(await s3.keys('attr/')).toEqual(['attr/fleet/attribution.json']);
    const fresh = new S3State(client, { bucket: s3.bucket, prefix: 'attr/' });
    expect(await fresh.loadAttribution()).toEqual(attribution(2));
  });

  it('keeps the record with more marks when another run saved the attribution in between', async () => {
    const other = new S3State(conditionalClient().client, { bucket: s3.bucket, prefix: 'ar/' });
    let staged = false;
    const first = conditionalClient(async () => {
      if (staged) return;
      staged = true;
      await other.loadAttribution();
      await other.saveAttribution(attribution(3));
    });
    const state = new S3State(first.client, { bucket: s3.bucket, prefix: 'ar/' });
    expect(await state.loadAttribution()).toBeUndefined();
    await state.saveAttribution(attribution(1));
    expect(first.puts.map((p) => p.outcome)).toEqual(['refused', 'written']);
    expect((await state.loadAttribution())?.seen['HPC-001\u001f1']).toHaveLength(3);
  });
});

describe('KPI rows and the attribution record in a local state folder', () => {
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
    await state.updateDailyKpis(DAY, (rows) =>
      rollUpDay(rows, DAY, [session('a', 40_000), session('b', 25_000, '2')]),
    );
    await state.updateDailyKpis(DAY, (rows) => rollUpDay(rows, DAY, [session('c', 10_000)]));
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

  it('writes no file when the change returns the rows it was given', async () => {
    const state = new LocalState(dir);
    await state.updateDailyKpis('2026-11-25', (rows) => rows as never);
    expect(existsSync(join(dir, 'kpis', 'date=2026-11-25'))).toBe(false);
  });

  it('keeps the attribution record at fleet/attribution.json', async () => {
    const state = new LocalState(dir);
    expect(await state.loadAttribution()).toBeUndefined();
    await state.saveAttribution(attribution(2));
    expect(JSON.parse(await readFile(join(dir, 'fleet', 'attribution.json'), 'utf8'))).toEqual(
      attribution(2),
    );
    expect(await new LocalState(dir).loadAttribution()).toEqual(attribution(2));
  });
});
