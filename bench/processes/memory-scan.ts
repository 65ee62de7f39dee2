// One scan in a fresh process, reporting its peak resident memory. Options as JSON in argv.
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
  lookbackHours: number;
  /** Items asked for per page. Default: 100. */
  pageSize?: number;
  /** The memory the scan is told it has, which sets its page body cap. Default: 1024. */
  memoryMb?: number;
};
const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
const config = parseConfig(
  {
    fleet: Array.from({ length: options.chargers }, (_, i) => ({
      chargerId: `HPC-${String(i + 1).padStart(3, '0')}`,
      connectors: ['1'],
    })),
    api: { tokenUrl: options.tokenUrl, baseUrl: options.url },
    archive: join(dir, 'archive'),
    state: join(dir, 'state'),
    alerts: [join(dir, 'alerts.jsonl')],
    scan: {
      pageSize: options.pageSize ?? 100,
      concurrency: 8,
      initialLookbackHours: options.lookbackHours,
    },
  },
  'benchmark',
);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const summary = await scanFromConfig(config, {
  credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
  log: quiet,
  baseDir: dir,
  ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
});
process.stdout.write(
  `${JSON.stringify({
    reports: summary.totals.fetched,
    pages: summary.totals.pages,
    failed: summary.failed.length,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
rmSync(dir, { recursive: true, force: true });
