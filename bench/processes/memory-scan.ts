// One scan in a fresh process, reporting its peak resident memory and the largest heap it sampled.
// Options as JSON in argv. Archive, state and alerts live in a temp folder removed on the way out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../functions/config/config.ts';
import { Secret } from '../../functions/core/secret.ts';
import { scanFromConfig } from '../../functions/wiring/scan-from-config.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  tokenUrl: string;
  chargers: number;
  /** Connectors per charger, numbered from 1. Default: 2. */
  connectorsPerCharger?: number;
  lookbackHours: number;
  /** The scan's clock (ISO): the end of its window. */
  nowIso: string;
  /** Items asked for per page. Default: the config's. */
  pageSize?: number;
  /** The memory the scan is told it has, which sets its page body cap. Default: 1024. */
  memoryMb?: number;
};

/** Peak RSS before any scan work: Node, tsx and every module the scan loads, nothing else. */
const loadedKb = process.resourceUsage().maxRSS;
let heapPeak = process.memoryUsage().heapUsed;
// Sampled often enough to catch the fleet step, which lasts a fraction of a second on small fleets.
const sampler = setInterval(() => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}, 10);

const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
try {
  const connectors = Array.from({ length: options.connectorsPerCharger ?? 2 }, (_, i) =>
    String(i + 1),
  );
  const config = parseConfig(
    {
      fleet: Array.from({ length: options.chargers }, (_, i) => ({
        chargerId: `HPC-${String(i + 1).padStart(3, '0')}`,
        connectors,
      })),
      api: { tokenUrl: options.tokenUrl, baseUrl: options.url },
      archive: join(dir, 'archive'),
      state: join(dir, 'state'),
      alerts: [join(dir, 'alerts.jsonl')],
      scan: {
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        initialLookbackHours: options.lookbackHours,
      },
    },
    'benchmark',
  );
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const now = Date.parse(options.nowIso);
  const started = performance.now();
  const summary = await scanFromConfig(config, {
    credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
    log: quiet,
    baseDir: dir,
    now: () => now,
    ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
  });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  process.stdout.write(
    `${JSON.stringify({
      connectors: summary.connectors.length,
      reports: summary.totals.fetched,
      pages: summary.totals.pages,
      findings: summary.totals.findings,
      failed: summary.failed.length,
      loadedKb,
      maxRssKb: process.resourceUsage().maxRSS,
      heapPeakKb: Math.round(heapPeak / 1024),
      wallMs: Math.round(wallMs),
    })}\n`,
  );
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
