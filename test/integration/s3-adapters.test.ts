import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Archive } from '../../functions/adapters/s3-archive.ts';
import { S3State } from '../../functions/adapters/s3-state.ts';
import { emptyIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3.stop();
});

const origin = { chargerId: 'HPC-001', connectorId: '2' };
const read = async (key: string) => {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return { body: await object.Body?.transformToString(), contentType: object.ContentType };
};

describe('the S3 archive against s3rver', () => {
  it('stores a report once, as received, as JSON, in the Hive layout under its prefix', async () => {
    const archive = new S3Archive(s3.client, { bucket: s3.bucket, prefix: 'depot/' });
    const body = '{"sessionId":42,"energySocEnd":97,"vendorExtra":{"a":1}}';
    expect(await archive.putReport(origin, '2026-11-24', '42', body)).toBe('created');
    expect(await archive.putReport(origin, '2026-11-24', '42', body)).toBe('exists');
    expect(await read('depot/reports/charger=HPC-001/connector=2/date=2026-11-24/42.json')).toEqual(
      {
        body,
        contentType: 'application/json',
      },
    );
    expect(archive.location).toBe('s3://depot-archive/depot/');
  });

  it('quarantines an invalid item with its reason beside it, once', async () => {
    const archive = new S3Archive(s3.client, { bucket: s3.bucket, prefix: 'q/' });
    const body = '{"sessionId":7,"energySocEnd":"full"}';
    expect(await archive.putQuarantined(origin, body, 'energySocEnd: expected number')).toBe(
      'created',
    );
    expect(await archive.putQuarantined(origin, body, 'energySocEnd: expected number')).toBe(
      'exists',
    );
    const keys = await s3.keys('q/');
    expect(keys).toHaveLength(2);
    const reason = keys.find((k) => k.endsWith('.reason.json')) ?? '';
    expect(JSON.parse((await read(reason)).body ?? '')).toEqual({
      ...origin,
      reason: 'energySocEnd: expected number',
    });
    expect((await read(reason.replace('.reason.json', '.json'))).body).toBe(body);
  });

  it('keeps hostile ids inside the prefix', async () => {
    const archive = new S3Archive(s3.client, { bucket: s3.bucket, prefix: 'safe/' });
    await archive.putReport(
      { chargerId: '../../escape', connectorId: '/' },
      '2026-11-24',
      '../x',
      '{}',
    );
    const keys = await s3.keys();
    const written = keys.filter((k) => k.includes('escape'));
    expect(written).toEqual([
      'safe/reports/charger=..%2F..%2Fescape/connector=%2F/date=2026-11-24/..%2Fx.json',
    ]);
  });
});

describe('the S3 state against s3rver', () => {
  it('keeps each connector its own cursor', async () => {
    const state = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect(await state.loadCursor(origin)).toBeUndefined();
    const cursor = {
      ...origin,
      fetchedUntil: '2026-11-24T12:00:00.000Z',
      updatedAt: '2026-11-24T12:00:05.000Z',
    };
    await state.saveCursor(cursor);
    await state.saveCursor({ ...cursor, fetchedUntil: '2026-11-24T12:15:00.000Z' });
    const fresh = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect((await fresh.loadCursor(origin))?.fetchedUntil).toBe('2026-11-24T12:15:00.000Z');
    expect(await fresh.loadCursor({ ...origin, connectorId: '1' })).toBeUndefined();
  });

  it('keeps each connector’s incidents between runs', async () => {
    const state = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect(await state.loadIncidents(origin)).toBeUndefined();
    const record = {
      ...emptyIncidentState(origin),
      seen: [['1@2026-11-24', '2026-11-24T12:00:00.000Z']] as [string, string][],
    };
    await state.saveIncidents(record);
    const again = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect(await again.loadIncidents(origin)).toEqual(record);
    expect(await again.loadIncidents({ ...origin, connectorId: '1' })).toBeUndefined();
  });

  it('keeps the silences set from a laptop for the scheduled function to read', async () => {
    const laptop = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect(await laptop.loadSilences()).toBeUndefined();
    await laptop.updateSilences((stored) => [...listed(stored), silence('sil-a')]);
    await laptop.updateSilences((stored) => [...listed(stored), silence('sil-b')]);
    const lambda = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect(await lambda.loadSilences()).toEqual([silence('sil-a'), silence('sil-b')]);
  });
});

/** What a store holds, as the list `silence add` appends to. */
const listed = (stored: unknown): unknown[] => (Array.isArray(stored) ? stored : []);

const silence = (id: string) => ({
  id,
  chargerId: 'HPC-001',
  from: '2026-11-24T12:00:00.000Z',
  until: '2026-11-24T16:00:00.000Z',
  reason: `maintenance ${id}`,
});

describe('the S3 state when another run writes at the same time (S3 conditional writes)', () => {
  const preconditionFailed = Object.assign(
    new Error('At least one of the pre-conditions you specified did not hold'),
    {
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    },
  );
  const body = (value: unknown) => ({
    Body: { transformToString: async () => JSON.stringify(value) },
    ETag: '"theirs"',
  });

  it('writes a new incident record create-only, and keeps the one that applied more sessions when it lost', async () => {
    const mock = mockClient(S3Client);
    mock
      .on(GetObjectCommand)
      .rejectsOnce(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }));
    const state = new S3State(new S3Client({ region: 'eu-west-1' }), { bucket: 'b', prefix: '' });
    expect(await state.loadIncidents(origin)).toBeUndefined();
    const ours = {
      ...emptyIncidentState(origin),
      seen: [['a', '2026-11-24T11:00:00.000Z']] as [string, string][],
    };
    const theirs = {
      ...emptyIncidentState(origin),
      seen: [
        ['a', '2026-11-24T11:00:00.000Z'],
        ['b', '2026-11-24T11:30:00.000Z'],
      ] as [string, string][],
    };
    mock.on(PutObjectCommand).rejectsOnce(preconditionFailed).resolves({ ETag: '"merged"' });
    mock.on(GetObjectCommand).resolves(body(theirs) as never);
    await state.saveIncidents(ours);
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({ IfNoneMatch: '*' });
    expect(puts[1]).toMatchObject({ IfMatch: '"theirs"' });
    expect(JSON.parse(String(puts[1]?.Body)).seen).toEqual(theirs.seen);
    mock.restore();
  });

  it('adds a silence on top of one another laptop stored meanwhile, never over it', async () => {
    const mock = mockClient(S3Client);
    mock
      .on(GetObjectCommand)
      .rejectsOnce(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }))
      .resolves(body([silence('sil-a')]) as never);
    mock.on(PutObjectCommand).rejectsOnce(preconditionFailed).resolves({ ETag: '"both"' });
    const state = new S3State(new S3Client({ region: 'eu-west-1' }), { bucket: 'b', prefix: '' });
    await state.updateSilences((stored) => [...listed(stored), silence('sil-b')]);
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({ IfNoneMatch: '*' });
    expect(puts[1]).toMatchObject({ IfMatch: '"theirs"' });
    expect(JSON.parse(String(puts[1]?.Body)).map((s: { id: string }) => s.id)).toEqual([
      'sil-a',
      'sil-b',
    ]);
    mock.restore();
  });

  it('never moves a cursor back behind another run’s', async () => {
    const mock = mockClient(S3Client);
    mock
      .on(GetObjectCommand)
      .resolvesOnce(body({ ...origin, fetchedUntil: '2026-11-24T12:00:00.000Z' }) as never);
    const state = new S3State(new S3Client({ region: 'eu-west-1' }), { bucket: 'b', prefix: '' });
    await state.loadCursor(origin);
    mock.on(PutObjectCommand).rejectsOnce(preconditionFailed).resolves({ ETag: '"new"' });
    mock
      .on(GetObjectCommand)
      .resolves(body({ ...origin, fetchedUntil: '2026-11-24T13:00:00.000Z' }) as never);
    await state.saveCursor({
      ...origin,
      fetchedUntil: '2026-11-24T12:30:00.000Z',
      updatedAt: 'now',
    });
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({ IfMatch: '"theirs"' });
    expect(JSON.parse(String(puts[1]?.Body)).fetchedUntil).toBe('2026-11-24T13:00:00.000Z');
    mock.restore();
  });

  it('treats a lost create-only race on a report as already archived', async () => {
    const mock = mockClient(S3Client);
    mock.on(HeadObjectCommand).rejects(
      Object.assign(new Error('NotFound'), {
        name: 'NotFound',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    mock.on(PutObjectCommand).rejects(preconditionFailed);
    const archive = new S3Archive(new S3Client({ region: 'eu-west-1' }), {
      bucket: 'b',
      prefix: '',
    });
    expect(await archive.putReport(origin, '2026-11-24', '1', '{}')).toBe('exists');
    expect(mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      IfNoneMatch: '*',
    });
    mock.restore();
  });
});
