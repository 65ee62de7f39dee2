import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../functions/config/config.ts';
import { Secret } from '../functions/core/secret.ts';
import type { Log, ReportArchive, StateStore } from '../functions/scan/ports.ts';
import type { ScanSummary } from '../functions/scan/summary.ts';
import { scanFromConfig } from '../functions/wiring/scan-from-config.ts';
import { BENCH_NOW, simulatedFleet } from './harness.ts';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What one measured scan did and took. */
export interface MeasuredScan {
  summary: ScanSummary;
  wallMs: number;
  /** HTTP requests to the API, the token included. */
  apiRequests: number;
}

/** Options of a measured scan of a simulated fleet. */
export interface FleetScan {
  sim: { url: string; tokenUrl: string };
  chargers: number;
  concurrency: number;
  /** Defaults to a fresh temp folder; `s3://` URIs archive to S3. */
  archive?: string;
  state?: string;
  initialLookbackHours?: number;
  pageSize?: number;
  /** The scan's clock. Default: BENCH_NOW, fixed; give the simulator the same (`nowIso`). */
  now?: () => number;
  /** Adapters to use instead of the ones archive/state name (a counting S3 client, say). */
  archiveAdapter?: ReportArchive;
  stateAdapter?: StateStore;
}

/** Runs one scan of a simulated fleet with production code and the local adapters, timed. */
export async function scanFleet(options: FleetScan): Promise<MeasuredScan> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scan-'));
  try {
    const config = parseConfig(
      {
        fleet: simulatedFleet(options.chargers),
        api: { tokenUrl: options.sim.tokenUrl, baseUrl: options.sim.url },
        archive: options.archive ?? join(dir, 'archive'),
        state: options.state ?? join(dir, 'state'),
        alerts: [join(dir, 'alerts.jsonl')],
        scan: {
          concurrency: options.concurrency,
          pageSize: options.pageSize ?? 500,
          initialLookbackHours: options.initialLookbackHours ?? 8,
          requestTimeoutMs: 60_000,
        },
      },
      'benchmark',
    );
    let apiRequests = 0;
    const counting: typeof fetch = (input, init) => {
      apiRequests++;
      return fetch(input, init);
    };
    const start = performance.now();
    const summary = await scanFromConfig(config, {
      credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
      log: quiet,
      baseDir: dir,
      fetch: counting,
      ...(options.archiveAdapter ? { archive: options.archiveAdapter } : {}),
      ...(options.stateAdapter ? { state: options.stateAdapter } : {}),
      now: options.now ?? (() => BENCH_NOW),
    });
    const wallMs = performance.now() - start;
    if (summary.failed.length > 0)
      throw new Error(`benchmark scan failed: ${summary.failed[0]?.error}`);
    return { summary, wallMs, apiRequests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
