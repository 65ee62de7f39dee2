import { readFileSync } from 'node:fs';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3rverClient } from '../test/helpers/s3rver-client.ts';
import { startChild } from './children.ts';
import { cpuMs, probe } from './cost-probe.ts';

/** CPU per S3 request: this process's (the SDK's) and s3rver's, ms. */
export interface S3RequestCpu {
  putMs: number;
  headMs: number;
  s3rverMsPerRequest: number;
  requests: number;
}

const IN_FLIGHT = 8;

/**
 * CPU the SDK spends per S3 request: PUTs of report-sized bodies, then HEADs of the same keys,
 * 8 in flight as the scan sends them, measured with process.cpuUsage(). s3rver runs in its own
 * process, so its CPU is not in the figure; it is read from /proc for the note.
 */
export async function s3RequestCpu(requests: number, bodyBytes: number): Promise<S3RequestCpu> {
  const server = await startChild<{ endpoint: string }>('s3rver', { bucket: 'bench-cpu' });
  const client = s3rverClient(server.info.endpoint);
  const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bodyBytes - 11)) });
  const pid = server.process.pid ?? 0;
  const loop = async (n: number, send: (i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < n) await send(next++);
      }),
    );
  };
  const put = (i: number) =>
    client.send(new PutObjectCommand({ Bucket: 'bench-cpu', Key: `r/${i}.json`, Body: body }));
  const head = (i: number) =>
    client.send(new HeadObjectCommand({ Bucket: 'bench-cpu', Key: `r/${i}.json` }));
  try {
    // Warm-up: connections, endpoint rules and signing code paths compiled.
    await loop(200, put);
    await loop(200, head);
    const before = serverCpuMs(pid);
    const puts = await probe(() => loop(requests, put));
    const heads = await probe(() => loop(requests, head));
    const s3rverMs = serverCpuMs(pid) - before;
    return {
      putMs: cpuMs(puts.cpu) / requests,
      headMs: cpuMs(heads.cpu) / requests,
      s3rverMsPerRequest: s3rverMs / (2 * requests),
      requests,
    };
  } finally {
    client.destroy();
    await server.stop();
  }
}

/** User + system CPU of another process so far, ms (Linux /proc; 0 elsewhere). */
function serverCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
