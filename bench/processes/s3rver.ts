// s3rver in its own process, for benchmarks that archive to S3.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

const { bucket } = JSON.parse(process.argv[2] ?? '{}') as { bucket: string };
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory: mkdtempSync(join(tmpdir(), 'bench-s3rver-')),
  configureBuckets: [{ name: bucket }],
});
const { port } = (await server.run()) as AddressInfo;
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${port}` })}\n`);
process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
