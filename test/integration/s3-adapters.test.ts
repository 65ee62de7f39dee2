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
import { connectorKey, emptyDocument } from '../../functions/scan/state-document.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { cursorOf, stateDocumentInS3 } from '../helpers/state-document.ts';

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
  const cursor = {
    ...origin,
    fetchedUntil: '2026-11-24T12:00:00.000Z',
    updatedAt: '2026-11-24T12:00:05.000Z',
  };

  it('keeps each connector its own cursor in the state document', async () => {
    const state = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
    expect(await state.loadDocument()).toBeUndefined();
    const v1 = await state.commitDocument(
      { ...emptyDocument(), seq: 1, cursors: { [connectorKey(origin)]: cursor } },
      undefined,
    );
    expect(v1).toBeTruthy();
    const later = { ...cursor, fetchedUntil: '2026-11-24T12:15:00.000Z' };
    expect(
      await state.commitDocument(
        { ...emptyDocument(), seq: 2, cursors: { [connectorKey(origin)]: later } },
        v1,
      ),
    ).toBeTruthy();
    expect(await s3.keys('state/')).toEqual(['state/state.json']);
    const fresh = await stateDocumentInS3(s3.client, s3.bucket, 'state/');
    expect(cursorOf(fresh, 'HPC-001', '2')?.fetchedUntil).toBe('2026-11-24T12:15:00.000Z');
    expect(cursorOf(fresh, 'HPC-001', '1')).toBeUndefined();
  });

  it('keeps each connector’s incidents between runs in the state document', async () => {
    const state = new S3State(s3.client, { bucket: s3.bucket, prefix: 'incidents/' });
    const record = {
      ...emptyIncidentState(origin),
      seen: [['1@2026-11-24', '2026-11-24T12:00:00.000Z']] as [string, string][],
    };
    await state.commitDocument(
      { ...emptyDocument(), seq: 1, incidents: { [connectorKey(origin)]: record } },
      undefined,
    );
    const again = await stateDocumentInS3(s3.client, s3.bucket, 'incidents/');
    expect(again.incidents[connectorKey(origin)]).toEqual(record);
    expect(again.incidents[connectorKey({ ...origin, connectorId: '1' })]).toBeUndefined();
  });

  it('still reads the per-connector layout the state document replaced, to convert it', async () => {
    const prefix = 'legacy/';
    const record = { ...emptyIncidentState(origin) };
    const put = (key: string, value: unknown) =>
      s3.client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify(value) }),
      );
    const state = new S3State(s3.client, { bucket: s3.bucket, prefix });
    expect(await state.legacy.holdsAny()).toBe(false);
    await put(`${prefix}cursors/charger=HPC-001/connector=2.json`, cursor);
    await put(`${prefix}incidents/charger=HPC-001/connector=2.json`, record);
    expect(await state.legacy.holdsAny()).toBe(true);
    expect(await state.legacy.loadCursor(origin)).toEqual(cursor);
    expect(await state.legacy.loadIncidents(origin)).toEqual(record);
    expect(await state.legacy.loadCursor({ ...origin, connectorId: '1' })).toBeUndefined();
    expect(await state.legacy.loadAttribution()).toBeUndefined();
    expect(await state.loadDocument()).toBeUndefined();
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

  it('commits the first state document create-only, and the next over the ETag it read', async () => {
    const mock = mockClient(S3Client);
    mock
      .on(GetObjectCommand)
      .rejectsOnce(Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' }))
      .resolves(body({ ...emptyDocument(), seq: 1 }) as never);
    mock.on(PutObjectCommand).resolves({ ETag: '"first"' });
    const state = new S3State(new S3Client({ region: 'eu-west-1' }), { bucket: 'b', prefix: 'p/' });
    expect(await state.loadDocument()).toBeUndefined();
    expect(await state.commitDocument({ ...emptyDocument(), seq: 1 }, undefined)).toBe('"first"');
    const read = await state.loadDocument();
    expect(read?.version).toBe('"theirs"');
    await state.commitDocument({ ...emptyDocument(), seq: 2 }, read?.version);
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual(['p/state.json', 'p/state.json']);
    expect(puts[0]).toMatchObject({ IfNoneMatch: '*' });
    expect(puts[0]?.IfMatch).toBeUndefined();
    expect(puts[1]).toMatchObject({ IfMatch: '"theirs"' });
    expect(JSON.parse(String(puts[1]?.Body)).seq).toBe(2);
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

  it('never writes a state document over another run’s: a stale commit returns undefined', async () => {
    const mock = mockClient(S3Client);
    const cursors = (fetchedUntil: string) => ({
      [connectorKey(origin)]: { ...origin, fetchedUntil, updatedAt: fetchedUntil },
    });
    mock
      .on(GetObjectCommand)
      .resolvesOnce(
        body({ ...emptyDocument(), seq: 1, cursors: cursors('2026-11-24T12:00:00.000Z') }) as never,
      );
    const state = new S3State(new S3Client({ region: 'eu-west-1' }), { bucket: 'b', prefix: '' });
    const read = await state.loadDocument();
    mock.on(PutObjectCommand).rejects(preconditionFailed);
    expect(
      await state.commitDocument(
        { ...emptyDocument(), seq: 2, cursors: cursors('2026-11-24T12:30:00.000Z') },
        read?.version,
      ),
    ).toBeUndefined();
    const puts = mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ Key: 'state.json', IfMatch: '"theirs"' });
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
