import { runChild, startChild } from './children.ts';
import { type BenchResult, fmt, median } from './harness.ts';

const TARGET = 1.25;
/** Rounds, each scanning every size once (zero-report and read) in turn; medians are taken per scan. */
const RUNS = 5;
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
  loadedKb: number;
  maxRssKb: number;
  heapPeakKb: number;
  wallMs: number;
};

/**
 * Peak resident memory of a scan at the default config for 100, 1,000 and 10,000 chargers of
 * two connectors, each in a fresh process, net of a zero-report scan: a scan that flattens with
 * the fleet holds no more at 10,000 chargers than at 1,000.
 */
export async function memory(): Promise<BenchResult> {
  const largest = SIZES[SIZES.length - 1] as number;
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
    // size alike; then the median of each scan's runs.
    const baselines: Measured[] = [];
    const runs = new Map<number, { empty: Measured[]; read: Measured[] }>(
      SIZES.map((chargers) => [chargers, { empty: [], read: [] }]),
    );
    for (let i = 0; i < RUNS; i++) {
      // The baseline: Node, tsx, every module and one scan's code paths, over one charger, no reports.
      baselines.push(await scan(1, BEFORE_WINDOW));
      for (const chargers of SIZES) {
        const of = runs.get(chargers) as { empty: Measured[]; read: Measured[] };
        of.empty.push(await scan(chargers, BEFORE_WINDOW));
        of.read.push(await scan(chargers, NOW));
      }
    }
    const rows: Row[] = SIZES.map((chargers) => {
      const of = runs.get(chargers) as { empty: Measured[]; read: Measured[] };
      return {
        chargers,
        empty: medianOf(of.empty),
        read: medianOf(of.read),
        readRssKb: of.read.map((m) => m.maxRssKb),
      };
    });
    return report(
      medianOf(baselines),
      rows,
      baselines.map((b) => b.maxRssKb),
    );
  } finally {
    await sim.stop();
  }
}

type Row = {
  chargers: number;
  empty: Measured;
  read: Measured;
  /** Each run's peak RSS of the reading scan, to show the spread. */
  readRssKb: number[];
};

function medianOf(runs: readonly Measured[]): Measured {
  const first = runs[0] as Measured;
  const m = (key: keyof Measured) => median(runs.map((r) => r[key]));
  return {
    ...first,
    loadedKb: m('loadedKb'),
    maxRssKb: m('maxRssKb'),
    heapPeakKb: m('heapPeakKb'),
    wallMs: m('wallMs'),
  };
}

const mib = (kb: number) => `${fmt(kb / 1024, 1)} MiB`;

function report(baseline: Measured, rows: readonly Row[], baselineRssKb: number[]): BenchResult {
  const net = (m: Measured) => m.maxRssKb - baseline.maxRssKb;
  const of = (chargers: number) => rows.find((r) => r.chargers === chargers) as Row;
  const ratio = net(of(10_000).read) / net(of(1_000).read);
  // The same ratio within each round (its own baseline), to show how far one run moves it.
  const roundRatios = baselineRssKb.map(
    (base, i) =>
      ((of(10_000).readRssKb[i] as number) - base) / ((of(1_000).readRssKb[i] as number) - base),
  );
  const range = (kbs: readonly number[]) =>
    `${fmt(Math.min(...kbs) / 1024, 1)}–${fmt(Math.max(...kbs) / 1024, 1)}`;
  const perConnector = (key: 'maxRssKb' | 'heapPeakKb', which: 'empty' | 'read') =>
    ((of(10_000)[which][key] - of(1_000)[which][key]) * 1024) /
    (of(10_000)[which].connectors - of(1_000)[which].connectors);
  return {
    title: 'Peak memory of a scan',
    method:
      `Chargers of 2 connectors at the default config (pages of 500, default concurrency), local archive and state in a temp folder, ` +
      `a ${LOOKBACK_HOURS}-hour first-run window of 2-hour sessions (3 per connector, one in five with a fault) on a fixed clock; ` +
      'the simulator in its own process. Each scan in a fresh process: peak RSS from process.resourceUsage().maxRSS and the ' +
      'largest heapUsed sampled every 10 ms. Net = peak RSS minus that of the baseline: a zero-report scan of 1 charger ' +
      `(same process, modules and requests; the simulator's clock set before the window, so every page is empty). ` +
      `Every process runs with fixed V8 flags (${NODE_FLAGS.join(' ')}); ${RUNS} rounds, each scanning every size in turn, ` +
      'and each figure the median of its runs (the ratio: of the median net peaks).',
    figures: [
      {
        label: 'baseline: zero-report scan of 1 charger',
        value: `${mib(baseline.maxRssKb)} peak RSS (runs ${range(baselineRssKb)} MiB; modules loaded: ${mib(baseline.loadedKb)})`,
      },
      ...rows.map((r) => ({
        label: `${fmt(r.chargers)} chargers: net peak`,
        value:
          `${mib(net(r.read))} net (${mib(r.read.maxRssKb)} peak RSS, runs ${range(r.readRssKb)} MiB, heap ${mib(r.read.heapPeakKb)}, ${fmt(r.read.reports)} reports, ` +
          `${fmt(r.read.wallMs / 1000, 1)} s); zero-report scan ${mib(net(r.empty))} net, heap ${mib(r.empty.heapPeakKb)}`,
      })),
      {
        label: 'net peak, 10,000 / 1,000 chargers',
        value: `${fmt(ratio, 2)} (each round against its own baseline: ${roundRatios.map((x) => fmt(x, 2)).join(', ')})`,
        target: `≤ ${TARGET}`,
        pass: ratio <= TARGET,
        ratio,
      },
      {
        label: 'growth per connector, 1,000 → 10,000 chargers',
        value:
          `${fmt(perConnector('maxRssKb', 'read'))} B RSS, ${fmt(perConnector('heapPeakKb', 'read'))} B heap; ` +
          `with zero reports ${fmt(perConnector('maxRssKb', 'empty'))} B RSS, ${fmt(perConnector('heapPeakKb', 'empty'))} B heap`,
      },
    ],
    notes: [
      'What grows with the fleet is what a run holds for every connector until its end, read from heap snapshots at the start ' +
        'of the fleet step (1 and 1,000 chargers): about 1.3 KB of live heap per connector with no reports (its result for the ' +
        'summary, about 350 B; its thresholds and incident settings, resolved once and cached per connector, about 700 B; the ' +
        "local store's folder names, about 300 B) and about 6 KB with 3 sessions (each kept for the fleet step: key, id, end time, " +
        'vehicle, KPI facts, attributable findings, and the notices sent). Peak RSS is that live heap times the garbage ' +
        "collector's slack, plus what lives outside the heap, so net peak grows about linearly with connectors.",
      'Reproducibility: with one run per figure and V8 choosing its own heap growth (1.1–4× what survived the last full ' +
        'collection, from how fast the collector and the program ran), the ratio moved by 47 % between two whole runs on this ' +
        'shared two-core machine: the 1,000-charger net peak is a few tens of MiB, so a shift of 20 MiB there (one full ' +
        "collection more or less) moves the ratio by a third. The flags above fix the collector's schedule (growth 1.3×, V8's own setting for a predictable schedule, " +
        'which lowers both peaks against the default, the 1,000-charger one most: the ratio reads higher, not lower), and each ' +
        'figure is the median of its rounds. Over the last five whole runs the ratio read 6.91, 6.19, 6.60, 5.64 and 6.87: it ' +
        'moved by 15 % and 22 % between the last three, so two runs do not yet agree within 10 %. What moves is the denominator: ' +
        'the 10,000-charger net peak read 246.3 and 249.4 MiB in the last two runs, the 1,000-charger one 43.7 and 36.3 MiB, the ' +
        'difference of two peaks (about 155 and 115 MiB) that each spread over 5-10 MiB across rounds. The growth per connector ' +
        '(below) read 11,807 and 12,412 B. Closing it takes more rounds or a denominator well above that spread. At ' +
        '10,000 chargers peak RSS is about twice the largest sampled heap: the rest (young generation, code, buffers of sockets ' +
        'and file writes outside the heap) is not broken down here and is where the remaining spread should be looked for.',
      'This is a first run from empty state. In steady state the fleet step also loads and rewrites the fleet attribution ' +
        'record, whose `seen` list keeps every session of the last 8 days per connector (about 13 KiB of JSON per connector ' +
        'at 8.8 sessions a day, see "Fleet-wide state"), and the day\'s KPI rows: both one document for the fleet, so they ' +
        'grow with connectors by design. That is the floor of this design, and it is above what the target allows.',
      'What would close it: a run holding nothing per connector until its end. The fleet step’s sessions and the summary’s results ' +
        'would go to the run’s parts in the state bucket as each connector finishes (the fan-out already writes them per shard) ' +
        'and be read back a charger at a time, and the fleet attribution record and KPI rows would be kept per charger rather than ' +
        'as one document. Until then the fan-out bounds a single invocation instead: a shard holds at most 6,666 connectors, about ' +
        '76 MiB of this growth at 12 KB each.',
    ],
  };
}
