import { runChild, startChild } from './children.ts';
import { type BenchResult, fmt, typical } from './harness.ts';

/** What BENCHMARKS.md says under "Peak memory of a scan", below its figures. */
const NOTES = [
  "A first run's net peak against a zero-report scan of one charger. Sessions, cursors, incident records, KPI rows, the attribution record's tables and the outbox wait in temp files indexed by numbers in typed arrays; the fleet step reads each connector's sessions again rather than keep them, the commit copies the temp files into the state document as bytes and delivery reads the outbox a batch at a time. What still grows with the fleet is those indexes and the connector keys, the fleet's config, the held findings of every faulty session (one in five here) and the summary's result per connector, while the 10,000-charger peak moves by several MiB from run to run with the same code (the runs below): a MISS closes with those few MiB out of memory too, or with the peak measured as the median of more runs.",
];

const TARGET = 1.5;
/** RSS a run may add per connector of the fleet, in bytes. */
const PER_CONNECTOR_TARGET = 2_048;
/**
 * Rounds, each scanning every size once (zero-report and read) in turn, except that the
 * 10,000-charger scans (a minute or two each) come in even rounds only: the baseline and the
 * 1,000-charger scan, whose difference is the ratio's denominator, get twice the runs.
 */
const ROUNDS = 10;
/**
 * The V8 flags of every scan's process, so that the garbage collector's schedule does not
 * follow the machine: --predictable-gc-schedule fixes the young generation (4 MB semi-spaces),
 * the old generation's growth (1.3× what survived the last full collection, where V8 otherwise
 * picks 1.1–4× from how fast the collector and the program ran) and turns the memory reducer
 * off; the collector runs on the main thread only, so a busy second core cannot delay it; the
 * old-space limit is fixed and far above any scan here, so it never binds.
 */
const NODE_FLAGS = [
  '--predictable-gc-schedule',
  '--single-threaded-gc',
  '--max-old-space-size=4096',
];
const SIZES = [100, 1_000, 10_000] as const;
/** The scan's clock: fixed, so every run reads the same sessions. */
const NOW = '2026-11-30T12:00:00.000Z';
/** Six hours of two-hour slots: three sessions per connector, one in five with a fault. */
const LOOKBACK_HOURS = 6;
/**
 * The simulator's clock for a zero-report scan: before the window begins, so no session in it
 * has ended and every page comes back empty. Same requests, same state reads, nothing to read.
 */
const BEFORE_WINDOW = new Date(Date.parse(NOW) - (LOOKBACK_HOURS + 1) * 3_600_000).toISOString();

type Measured = {
  connectors: number;
  reports: number;
  findings: number;
  failed: number;
  /** Peak RSS before any scan work: Node, tsx and the modules. */
  loadedKb: number;
  maxRssKb: number;
  heapPeakKb: number;
  wallMs: number;
};

/** A scan's runs, and the round each was taken in. */
type Runs = { empty: Measured[]; read: Measured[]; rounds: number[] };

/**
 * Peak resident memory of a scan at the default config for 100, 1,000 and 10,000 chargers of
 * two connectors, each in a fresh process, net of a zero-report scan: a scan that flattens with
 * the fleet holds no more at 10,000 chargers than at 1,000.
 */
export async function memory(): Promise<BenchResult> {
  const largest = SIZES[SIZES.length - 1] as number;
  const inRound = (chargers: number, round: number) => chargers !== largest || round % 2 === 0;
  const sim = await startChild<{ url: string; tokenUrl: string; clockUrl: string }>(
    'clocked-simulator',
    {
      fleet: { chargers: largest, connectorsPerCharger: 2, sessionIntervalMinutes: 120 },
      nowIso: NOW,
    },
  );
  const scan = async (chargers: number, serving: string): Promise<Measured> => {
    const moved = await fetch(sim.info.clockUrl, { method: 'PUT', body: serving });
    if (!moved.ok) throw new Error(`the simulator's clock did not move: ${moved.status}`);
    return runChild<Measured>(
      'memory-scan',
      {
        url: sim.info.url,
        tokenUrl: sim.info.tokenUrl,
        chargers,
        lookbackHours: LOOKBACK_HOURS,
        nowIso: NOW,
      },
      NODE_FLAGS,
    );
  };
  try {
    // Round after round, every scan once, so that a slow stretch of the machine touches every
    // size alike; then the typical value of each scan's runs.
    const baselines: Measured[] = [];
    const runs = new Map<number, Runs>(
      SIZES.map((chargers) => [chargers, { empty: [], read: [], rounds: [] }]),
    );
    for (let round = 0; round < ROUNDS; round++) {
      // The baseline: Node, tsx, every module and one scan's code paths, over one charger, no reports.
      baselines.push(await scan(1, BEFORE_WINDOW));
      for (const chargers of SIZES) {
        if (!inRound(chargers, round)) continue;
        const of = runs.get(chargers) as Runs;
        of.empty.push(await scan(chargers, BEFORE_WINDOW));
        of.read.push(await scan(chargers, NOW));
        of.rounds.push(round);
      }
    }
    const rows: Row[] = SIZES.map((chargers) => {
      const of = runs.get(chargers) as Runs;
      return { chargers, empty: typicalOf(of.empty), read: typicalOf(of.read), runs: of };
    });
    return report(typicalOf(baselines), rows, baselines);
  } finally {
    await sim.stop();
  }
}

type Row = {
  chargers: number;
  empty: Typical;
  read: Typical;
  /** Every run, to show the spread. */
  runs: Runs;
};

/**
 * What a scan's work added to its process's peak RSS: the peak less what Node, tsx and the
 * modules held before it began. What loading leaves resident moves by up to 8 MiB from one
 * process to the next, and that part is not the scan's.
 */
const workOf = (m: Measured) => m.maxRssKb - m.loadedKb;

/** A scan's typical run: its counts, and the typical value of each measure over its runs. */
type Typical = Pick<Measured, 'connectors' | 'reports' | 'loadedKb' | 'heapPeakKb' | 'wallMs'> & {
  workKb: number;
};

function typicalOf(runs: readonly Measured[]): Typical {
  const { connectors, reports } = runs[0] as Measured;
  const t = (pick: (m: Measured) => number) => typical(runs, pick);
  return {
    connectors,
    reports,
    loadedKb: t((m) => m.loadedKb),
    workKb: t(workOf),
    heapPeakKb: t((m) => m.heapPeakKb),
    wallMs: t((m) => m.wallMs),
  };
}

const mib = (kb: number) => `${fmt(kb / 1024, 1)} MiB`;

function report(baseline: Typical, rows: readonly Row[], baselines: Measured[]): BenchResult {
  const net = (m: Typical) => m.workKb - baseline.workKb;
  const of = (chargers: number) => rows.find((r) => r.chargers === chargers) as Row;
  const ratio = net(of(10_000).read) / net(of(1_000).read);
  // The same ratio within each round that has both (its own baseline), to show how far one run moves it.
  // The baseline and the 1,000-charger scan ran in every round, so a round indexes their runs.
  const largest = of(10_000).runs;
  const roundRatios = largest.rounds.map((round, i) => {
    const base = workOf(baselines[round] as Measured);
    const small = workOf(of(1_000).runs.read[round] as Measured);
    return (workOf(largest.read[i] as Measured) - base) / (small - base);
  });
  const range = (runs: readonly Measured[], pick: (m: Measured) => number) => {
    const kbs = runs.map(pick);
    return `${fmt(Math.min(...kbs) / 1024, 1)}–${fmt(Math.max(...kbs) / 1024, 1)}`;
  };
  const perConnector = (key: 'workKb' | 'heapPeakKb', which: 'empty' | 'read') =>
    ((of(10_000)[which][key] - of(1_000)[which][key]) * 1024) /
    (of(10_000)[which].connectors - of(1_000)[which].connectors);
  return {
    title: 'Peak memory of a scan',
    method:
      `Chargers of 2 connectors at the default config (pages of 500, default concurrency), local archive and state in a temp folder, ` +
      `a ${LOOKBACK_HOURS}-hour first-run window of 2-hour sessions (3 per connector, one in five with a fault) on a fixed clock; ` +
      'the simulator in its own process. Each scan in a fresh process: peak RSS from process.resourceUsage().maxRSS, once ' +
      "after the modules are loaded and once at the end, and the largest heapUsed sampled every 10 ms. A scan's work = its " +
      "peak RSS less its process's peak before the scan began. Net = a scan's work less the baseline's: a zero-report scan " +
      "of 1 charger (same process, modules and requests; the simulator's clock set before the window, so every page is empty). " +
      `Every process runs with fixed V8 flags (${NODE_FLAGS.join(' ')}); ${ROUNDS} rounds, each scanning every size in turn ` +
      '(10,000 chargers in every other round), and each figure the mean of the middle 80 % of its runs.',
    figures: [
      {
        label: 'baseline: zero-report scan of 1 charger',
        value:
          `${mib(baseline.workKb)} of work (runs ${range(baselines, workOf)} MiB) over ${mib(baseline.loadedKb)} ` +
          `of Node, tsx and modules (runs ${range(baselines, (m) => m.loadedKb)} MiB)`,
      },
      ...rows.map((r) => ({
        label: `${fmt(r.chargers)} chargers: net peak`,
        value:
          `${mib(net(r.read))} net (work ${mib(r.read.workKb)}, runs ${range(r.runs.read, workOf)} MiB; peak RSS ${mib(r.read.loadedKb + r.read.workKb)}; ` +
          `heap ${mib(r.read.heapPeakKb)}, ${fmt(r.read.reports)} reports, ${fmt(r.read.wallMs / 1000, 1)} s; ${r.runs.read.length} runs); ` +
          `zero-report scan ${mib(net(r.empty))} net, heap ${mib(r.empty.heapPeakKb)}`,
      })),
      {
        label: 'net peak, 10,000 / 1,000 chargers',
        value: `${fmt(ratio, 2)} (each round with both against its own baseline: ${roundRatios.map((x) => fmt(x, 2)).join(', ')})`,
        target: `≤ ${TARGET}`,
        pass: ratio <= TARGET,
        ratio,
      },
      {
        label: 'growth per connector, 1,000 → 10,000 chargers',
        value:
          `${fmt(perConnector('workKb', 'read'))} B RSS, ${fmt(perConnector('heapPeakKb', 'read'))} B heap; ` +
          `with zero reports ${fmt(perConnector('workKb', 'empty'))} B RSS, ${fmt(perConnector('heapPeakKb', 'empty'))} B heap`,
        target: `≤ ${fmt(PER_CONNECTOR_TARGET)} B RSS`,
        pass: perConnector('workKb', 'read') <= PER_CONNECTOR_TARGET,
        ratio: perConnector('workKb', 'read') / PER_CONNECTOR_TARGET,
      },
    ],
    notes: NOTES,
  };
}
