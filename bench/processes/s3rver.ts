// s3rver in its own process, for benchmarks that archive to S3. Its folder (tens of MB after a
// scan) goes with it: when the benchmark stops it, and when the benchmark itself dies, which
// closes this process's stdin.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

const { bucket } = JSON.parse(process.argv[2] ?? '{}') as { bucket: string };
const directory = mkdtempSync(join(tmpdir(), 'bench-s3rver-'));
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const remove = () => {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  };
  (server.close() as Promise<void>).then(remove, remove);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.once('end', stop);
process.stdin.resume();
try {
  const { port } = (await server.run()) as AddressInfo;
  process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${port}` })}\n`);
} catch (error) {
  rmSync(directory, { recursive: true, force: true });
  throw error;
}
