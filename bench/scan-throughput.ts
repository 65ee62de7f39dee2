import type { FleetOptions } from '../functions/simulator/fleet.ts';
import { startChild } from './children.ts';
import { BENCH_NOW_ISO, type BenchResult, type Figure, fmt } from './harness.ts';
import { type MeasuredScan, scanFleet } from './scan-fleet.ts';

const LATENCY_MS = 50;
const TARGET = 1.25;
/**
 * Where the run's adaptive request limit starts (`AIMD_START`), and what every release ran at
 * before it adapted; the target is judged there. A larger `scan.concurrency` is a ceiling the
 * limit climbs towards from 8.
 */
const DEFAULT_CONCURRENCY = 8;
/** The product's default `scan.pageSize`. */
const PAGE_SIZE = 500;
/** The scan's first-run window, the product's default. */
const LOOKBACK_HOURS = 8;
/** 2 sessions per connector in the window at BENCH_NOW: one page each, the requests are the work. */
const SPARSE: Partial<FleetOptions> = { sessionIntervalMinutes: 180, anomalyEvery: 5 };
/**
 * 450 sessions per 3-hour slot: about 1,100 per connector in the window, so that each window
 * is read as two full pages of 500 and a short one, and the scan's paging is measured.
 */
const DENSE: Partial<FleetOptions> = { ...SPARSE, sessionsPerSlot: 450 };
const CASES = [
  { chargers: 100, fleet: SPARSE, concurrency: [8, 32] },
  { chargers: 1_000, fleet: SPARSE, concurrency: [8, 32, 128] },
  { chargers: 5_000, fleet: SPARSE, concurrency: [64, 128] },
  { chargers: 10, fleet: DENSE, concurrency: [8] },
];

type Sim = { url: string; tokenUrl: string };

/**
 * A whole scan against the simulator with a fixed added latency per request, against the
 * network's lower bound: requests × latency / concurrency. What is left above 1.0 is the
 * scan's own work (validation, rules, archive writes) that latency did not hide. The scan and
 * the simulator share one fixed clock, so every run reads the same reports.
 */
export async function scanThroughput(): Promise<BenchResult> {
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const { chargers, fleet, concurrency } of CASES) {
    const sim = await startSimulator(chargers, fleet);
    try {
      for (const c of concurrency) {
        const scan = await scanFleet({
          sim: sim.info,
          chargers,
          concurrency: c,
          pageSize: PAGE_SIZE,
          initialLookbackHours: LOOKBACK_HOURS,
        });
        const judged = fleet === SPARSE && chargers === 1_000 && c === DEFAULT_CONCURRENCY;
        const { ratio, value } = described(scan, chargers, c);
        figures.push({
          label: `${fmt(chargers)} chargers × 2, concurrency ${c}${fleet === DENSE ? ', several pages per connector' : ''}`,
          value,
          ratio,
          ...(judged ? { target: `ratio ≤ ${TARGET}`, pass: ratio <= TARGET } : {}),
        });
      }
    } finally {
      await sim.stop();
    }
  }

  // The same scan with S3 (s3rver in its own process) as archive and state.
  const sim = await startSimulator(1_000, SPARSE);
  const env = { ...process.env };
  let s3: Awaited<ReturnType<typeof startChild<{ endpoint: string }>>> | undefined;
  try {
    s3 = await startChild<{ endpoint: string }>('s3rver', { bucket: 'bench-archive' });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.info.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'eu-west-1',
    });
    const concurrency = 32;
    const scan = await scanFleet({
      sim: sim.info,
      chargers: 1_000,
      concurrency,
      pageSize: PAGE_SIZE,
      initialLookbackHours: LOOKBACK_HOURS,
      archive: 's3://bench-archive/archive',
      state: 's3://bench-archive/state',
    });
    const { ratio, value } = described(scan, 1_000, concurrency);
    figures.push({
      label: `1,000 chargers × 2, concurrency ${concurrency}, S3 (s3rver)`,
      value,
      ratio,
    });
    notes.push(
      'At concurrency 8 (where the adaptive limit starts; above 8 the limit climbs from 8 towards the ceiling given) the scan stays within about 10-15 % of what the network allows (a bare fetch loop against the same simulator reaches 1.07-1.10). At 32 and above this two-core machine is ' +
        'CPU-bound: the scan and the simulator share the cores, and about 1,000-1,500 reports/s is the ceiling (JSON parsing, validation, rules, ' +
        'archive writes, and the simulator generating and serialising the same reports). On Lambda, memory buys CPU; the API latency, not CPU, ' +
        'bounds a real scan (see Cost and reach).',
      'With several pages per connector a page of 500 reports costs far more CPU than its 50 ms of latency (the simulator makes and serialises ' +
        'the whole window for every page it serves, and the scan parses, validates, judges and archives 500 reports), so that case is CPU-bound ' +
        'at any concurrency on this machine: its ratio measures the two cores, its reports/s the cost of a page. Several pages per connector for ' +
        'all 1,000 chargers would be about 2.2 million reports (about 5 GB archived): too long a run here, so the judged case keeps one page each.',
      's3rver writes every object as several files on local disk and runs in its own process on the same two cores: its ratio measures s3rver, ' +
        'about 5 ms of CPU per request here, not S3. It shows the S3 path works at scale, not how fast S3 is.',
    );
  } finally {
    process.env = env;
    await s3?.stop();
    await sim.stop();
  }
  return {
    title: 'Scan throughput vs the network lower bound',
    method:
      `The simulator (its own process) adds ${LATENCY_MS} ms to every request. Scan and simulator share a fixed clock (${BENCH_NOW_ISO}), so every run ` +
      `reads the same reports. Each connector has 2 sessions in the ${LOOKBACK_HOURS}-hour first-run window, or about 1,100 (three pages of ` +
      `${PAGE_SIZE}) where several pages are noted; one in five with a fault. Local folder archive and state unless noted. Lower bound = ` +
      'API requests × latency / concurrency; the target applies at 1,000 chargers and concurrency 8, where the adaptive limit starts (and the default ceiling).',
    figures,
    notes,
  };
}

function startSimulator(chargers: number, fleet: Partial<FleetOptions>) {
  return startChild<Sim>('simulator', {
    fleet: { ...fleet, chargers, connectorsPerCharger: 2 },
    latencyMs: LATENCY_MS,
    nowIso: BENCH_NOW_ISO,
  });
}

/** A scan's time, rates and ratio to the network's bound, with the reports and pages it read. */
function described({ summary, wallMs, apiRequests }: MeasuredScan, chargers: number, c: number) {
  const bound = (apiRequests * LATENCY_MS) / c;
  const ratio = wallMs / bound;
  const seconds = wallMs / 1000;
  const connectors = chargers * 2;
  const { fetched, pages } = summary.totals;
  return {
    ratio,
    value:
      `${fmt(fetched)} reports (${fmt(fetched / connectors)} and ${fmt(pages / connectors, 1)} pages per connector), ` +
      `${fmt(seconds, 2)} s, ${fmt(fetched / seconds)} reports/s, ${fmt(apiRequests / seconds)} requests/s, ` +
      `bound ${fmt(bound / 1000, 2)} s, ratio ${fmt(ratio, 2)}`,
  };
}
