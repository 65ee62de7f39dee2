import { runChild, startChild } from './children.ts';
import { type BenchResult, fmt, median } from './harness.ts';

const TARGET = 1.25;
const RUNS = 1;
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
    const runs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(
        await runChild<Measured>('memory-scan', {
          url: sim.info.url,
          tokenUrl: sim.info.tokenUrl,
          chargers,
          lookbackHours: LOOKBACK_HOURS,
          nowIso: NOW,
        }),
      );
    }
    return medianOf(runs);
  };
  try {
    // The baseline: Node, tsx, every module and one scan's code paths, over one charger, no reports.
    const baseline = await scan(1, BEFORE_WINDOW);
    const rows: Row[] = [];
    for (const chargers of SIZES) {
      const empty = await scan(chargers, BEFORE_WINDOW);
      const read = await scan(chargers, NOW);
      rows.push({ chargers, empty, read });
    }
    return report(baseline, rows);
  } finally {
    await sim.stop();
  }
}

type Row = { chargers: number; empty: Measured; read: Measured };

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

function report(baseline: Measured, rows: readonly Row[]): BenchResult {
  const net = (m: Measured) => m.maxRssKb - baseline.maxRssKb;
  const of = (chargers: number) => rows.find((r) => r.chargers === chargers) as Row;
  const ratio = net(of(10_000).read) / net(of(1_000).read);
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
      `(same process, modules and requests; the simulator's clock set before the window, so every page is empty). ${RUNS === 1 ? 'One run' : `Median of ${RUNS} runs`} per figure.`,
    figures: [
      {
        label: 'baseline: zero-report scan of 1 charger',
        value: `${mib(baseline.maxRssKb)} peak RSS (modules loaded: ${mib(baseline.loadedKb)})`,
      },
      ...rows.map((r) => ({
        label: `${fmt(r.chargers)} chargers: net peak`,
        value:
          `${mib(net(r.read))} net (${mib(r.read.maxRssKb)} peak RSS, heap ${mib(r.read.heapPeakKb)}, ${fmt(r.read.reports)} reports, ` +
          `${fmt(r.read.wallMs / 1000, 1)} s); zero-report scan ${mib(net(r.empty))} net, heap ${mib(r.empty.heapPeakKb)}`,
      })),
      {
        label: 'net peak, 10,000 / 1,000 chargers',
        value: fmt(ratio, 2),
        target: `≤ ${TARGET}`,
        pass: ratio <= TARGET,
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
        "collector's slack (V8 lets the heap grow to 1.5–4× what survived its last full collection), so net peak grows about " +
        'linearly with connectors, and the same scan moves by a few tens of MiB with the load on the machine.',
      'This is a first run from empty state. In steady state the fleet step also loads and rewrites the fleet attribution ' +
        'record, whose `seen` list keeps every session of the last 8 days per connector (about 13 KiB of JSON per connector ' +
        'at 8.8 sessions a day, see "Fleet-wide state"), and the day\'s KPI rows: both one document for the fleet, so they ' +
        'grow with connectors by design. That is the floor of this design, and it is above what the target allows.',
    ],
  };
}
