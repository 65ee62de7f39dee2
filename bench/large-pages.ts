import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeOptions } from '../functions/lambda/memory-budget.ts';
import { runChild, startChild } from './children.ts';
import { BENCH_NOW_ISO, type BenchResult, fmt, median } from './harness.ts';

/** What BENCHMARKS.md says under "Peak memory with large pages", below its figures. */
const NOTES = [
  "The cap is the function's memory, halved, split over the connectors read at once, at six bytes held per byte received (functions/sources/depotfinity/session-reports.ts, pageBodyCapBytes).",
];

const CONNECTORS = 8;
const REPORTS = 150;
/** Asked for per page: the whole window, a 60 MB page, as in the run that once peaked at 732 MB. */
const PAGE_SIZE = 200;
const REPORT_BYTES = 400_000;
const FUNCTION_MB = 512;
const RUNS = 3;

type Measured = { reports: number; pages: number; failed: number; maxRssKb: number };

/**
 * Peak resident memory of a scan whose reports are large: 8 connectors read at once, each
 * window one 60 MB page when asked for all its 150 reports, in a process with the heap limit the stack
 * gives a 512 MB function. Told it has those 512 MB, the scan caps a page body at 5.3 MiB and
 * asks for such pages again in smaller ones; told it has 10 GB, it takes them whole. The first
 * must fit the function; the second shows why the cap is there.
 */
export async function largePages(): Promise<BenchResult> {
  const api = await startChild<{ url: string; tokenUrl: string }>('fat-pages', {
    reportsPerConnector: REPORTS,
    reportBytes: REPORT_BYTES,
    nowIso: BENCH_NOW_ISO,
  });
  // A scan that runs out of heap never removes its archive (about 60 MB): each scan's temp
  // folder is made inside this one, which goes whatever happens.
  const tmp = mkdtempSync(join(tmpdir(), 'bench-large-pages-'));
  try {
    const capped: Measured[] = [];
    const whole: Measured[] = [];
    const flags = nodeOptions(FUNCTION_MB).split(' ');
    // A process that runs out of heap counts as reading nothing, at no measurable peak.
    const scan = (memoryMb: number) =>
      runChild<Measured>(
        'memory-scan',
        {
          ...api.info,
          // One connector a charger: eight connectors read at once, one large page each.
          chargers: CONNECTORS,
          connectorsPerCharger: 1,
          lookbackHours: 48,
          nowIso: BENCH_NOW_ISO,
          pageSize: PAGE_SIZE,
          memoryMb,
        },
        flags,
        { TMPDIR: tmp },
      ).catch(() => ({ reports: 0, pages: 0, failed: CONNECTORS, maxRssKb: Number.NaN }));
    for (let i = 0; i < RUNS; i++) {
      capped.push(await scan(FUNCTION_MB));
      whole.push(await scan(10_240));
    }
    return report(peakOf(capped), peakOf(whole));
  } finally {
    await api.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function peakOf(runs: readonly Measured[]): Measured {
  const [first] = runs;
  return {
    reports: first?.reports ?? 0,
    pages: first?.pages ?? 0,
    failed: Math.max(...runs.map((r) => r.failed)),
    maxRssKb: median(runs.map((r) => r.maxRssKb)),
  };
}

function report(capped: Measured, whole: Measured): BenchResult {
  const cappedMb = capped.maxRssKb / 1024;
  const wholeMb = whole.maxRssKb / 1024;
  const everyReport = capped.reports === CONNECTORS * REPORTS && capped.failed === 0;
  const share = cappedMb / FUNCTION_MB;
  return {
    title: 'Peak memory with large pages',
    method:
      `${CONNECTORS} connectors at concurrency 8, ${REPORTS} reports of ${fmt(REPORT_BYTES / 1000)} KB each per connector, ` +
      `asked for ${PAGE_SIZE} per page (one ${fmt((REPORTS * REPORT_BYTES) / 1e6)} MB page each); a separate API process; local archive. ` +
      `Peak RSS of a fresh process per scan (Node and tsx included) run with the V8 flags the stack deploys a ${FUNCTION_MB} MB function with ` +
      `(${nodeOptions(FUNCTION_MB)}), median of ${RUNS}. ` +
      `The page cap comes from the memory the scan is told it has (${FUNCTION_MB} MB, the stack's default, or 10 GB).`,
    figures: [
      {
        label: `told ${FUNCTION_MB} MB: reports read, pages`,
        value: `${fmt(capped.reports)} of ${fmt(CONNECTORS * REPORTS)}, ${fmt(capped.pages)} pages, ${capped.failed} connector(s) failed`,
      },
      { label: `told ${FUNCTION_MB} MB: peak RSS`, value: peak(cappedMb) },
      {
        label: 'told 10 GB (pages taken whole): peak RSS',
        value: `${peak(wholeMb)}, ${fmt(whole.pages)} pages`,
      },
      {
        label: `peak RSS / ${FUNCTION_MB} MB, every report read`,
        value: fmt(share, 2),
        ratio: share,
        target: '≤ 1.00',
        pass: everyReport && share <= 1,
      },
    ],
    notes: NOTES,
  };
}

function peak(mb: number): string {
  return Number.isNaN(mb) ? 'the process ran out of heap' : `${fmt(mb, 1)} MiB`;
}
