import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { conditionalLayer } from './conditional-s3.ts';
import { s3rverClient } from './s3rver-client.ts';

/**
 * A local S3 (s3rver) on a free port with one bucket, behind a layer that gives it S3's
 * conditional writes (see `conditionalLayer`), and a client configured for it.
 */
export async function startS3(bucket = 'depot-archive') {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = (await server.run()) as AddressInfo;
  const layer = await conditionalLayer(`http://127.0.0.1:${port}`);
  const endpoint = layer.endpoint;
  const client = s3rverClient(endpoint);
  return {
    bucket,
    endpoint,
    client,
    /** Every request that reached S3, and a way to fail the next one that matches. */
    layer,
    /** Every key in the bucket, sorted. */
    async keys(prefix = ''): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    /** An object's text. */
    async text(key: string): Promise<string> {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString()) ?? '';
    },
    /** Writes an object, as a deployment would. */
    async put(key: string, body: string): Promise<void> {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      client.destroy();
      await layer.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export type LocalS3 = Awaited<ReturnType<typeof startS3>>;
