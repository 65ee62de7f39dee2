import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';

/** GC pauses of one kind: how many, and their total duration. */
export interface GcTally {
  count: number;
  ms: number;
}

/** What this process spent while a measured piece of work ran. */
export interface CpuSample {
  wallMs: number;
  userMs: number;
  systemMs: number;
  /** Time the event loop was busy (not waiting in poll): the main thread's share. */
  loopActiveMs: number;
  gc: { minor: GcTally; major: GcTally; incremental: GcTally };
  /** TCP connections this process opened (fetch's undici and the SDK's http agent alike). */
  socketsOpened: number;
}

const GC_KINDS: Record<number, keyof CpuSample['gc']> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
};

/**
 * Measures `work` in this process: CPU (user and system, every thread of the process, which is
 * what a Lambda's CPU share is spent on), event-loop busy time, GC pauses by kind and sockets
 * opened. Helper servers run in other processes, so none of their CPU is counted here.
 */
export async function probe<T>(work: () => Promise<T>): Promise<{ result: T; cpu: CpuSample }> {
  const gc: CpuSample['gc'] = {
    minor: { count: 0, ms: 0 },
    major: { count: 0, ms: 0 },
    incremental: { count: 0, ms: 0 },
  };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as unknown as { detail?: { kind?: number } };
      const kind = GC_KINDS[detail?.kind ?? -1];
      if (!kind) continue;
      gc[kind].count++;
      gc[kind].ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let socketsOpened = 0;
  const onSocket = () => {
    socketsOpened++;
  };
  subscribe('net.client.socket', onSocket);
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const loop = performance.eventLoopUtilization(elu);
    // GC entries are delivered asynchronously: let the observer catch up.
    await new Promise((resolve) => setImmediate(resolve));
    return {
      result,
      cpu: {
        wallMs,
        userMs: used.user / 1000,
        systemMs: used.system / 1000,
        loopActiveMs: loop.active,
        gc: structuredClone(gc),
        socketsOpened,
      },
    };
  } finally {
    observer.disconnect();
    unsubscribe('net.client.socket', onSocket);
  }
}

/** The mean of several samples, field by field. */
export function meanSample(samples: readonly CpuSample[]): CpuSample {
  const n = Math.max(samples.length, 1);
  const sum = (f: (s: CpuSample) => number) => samples.reduce((a, s) => a + f(s), 0) / n;
  const tally = (k: keyof CpuSample['gc']) => ({
    count: sum((s) => s.gc[k].count),
    ms: sum((s) => s.gc[k].ms),
  });
  return {
    wallMs: sum((s) => s.wallMs),
    userMs: sum((s) => s.userMs),
    systemMs: sum((s) => s.systemMs),
    loopActiveMs: sum((s) => s.loopActiveMs),
    gc: { minor: tally('minor'), major: tally('major'), incremental: tally('incremental') },
    socketsOpened: sum((s) => s.socketsOpened),
  };
}

/**
 * The sample of median CPU (user + system), whole, so that its wall time, GC and sockets belong
 * together; with an even count the lower of the two middle samples.
 */
export function medianSample(samples: readonly CpuSample[]): CpuSample {
  const sorted = [...samples].sort((a, b) => cpuMs(a) - cpuMs(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!middle) throw new Error('no CPU samples to take the median of');
  return middle;
}

/** CPU of a sample, user + system, ms. */
export const cpuMs = (s: CpuSample): number => s.userMs + s.systemMs;
