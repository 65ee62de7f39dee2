import type { FleetOptions } from '../functions/simulator/fleet.ts';
import { runChild } from './children.ts';
import { BENCH_NOW, type BenchResult, fmt, median, type SpreadBenchmark } from './harness.ts';
import type { Round } from './processes/parse-rounds.ts';

/** What BENCHMARKS.md says under "Per-report work vs JSON.parse, page by page", below its figures. */
const NOTES = [
  "It times everything the scan does to a report beyond parsing it (each item's text and the page digest, validation, rules, session facts, incident bookkeeping) against JSON.parse of the same pages, in CPU time.",
  'The baseline read 3.50 (rules and session facts 1.54× parse, reading the page 1.01×, validation 0.36×), before timestamps were read by hand, item texts found in one regex pass and the per-report allocations of rules and findings cut.',
  'What remains is mostly the rules and session facts (about 0.7× parse) and the page digest and item texts (about half a parse together, close to what SHA-256 and a regex scan of the bytes cost).',
];

const PAGE_SIZE = 500;
/**
 * Fresh processes, each with its own warm-up and measured rounds. Rounds within a process agree
 * closely, processes less so (their medians read 4.47-5.48 in one run), and a whole stretch of
 * processes can read high together when a neighbour on the shared machine sends much traffic
 * through the caches (the whole pass is bound by memory far more than the parse): so many
 * processes of few rounds, spread over the whole run.
 */
const PROCESSES = 8;
const ROUNDS = 7;
const WARM_UP = 3;
const TARGET = 2;
/** The workload of the throughput benchmark's paging case: about 1,100 reports per connector. */
const FLEET: Partial<FleetOptions> = {
  seed: 7,
  chargers: 10,
  sessionsPerSlot: 450,
  anomalyEvery: 5,
  invalidEvery: 0,
};
const LOOKBACK_MS = 8 * 3_600_000;
/**
 * Fixed heap flags for every process: the young generation's size (which V8 otherwise grows
 * from 1 MB as it sees fit), an old-space limit far above what the rounds use, and no helper
 * threads (the garbage collector and the compilers work on the main thread), so that the work
 * neither depends on the machine's memory nor hides in threads that a busy second core runs late
 * or not at all. With the main thread alone, the process's CPU time is the work of the passes,
 * and wall time equals it whenever the core is not taken from it.
 */
const HEAP_FLAGS = [
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
  '--max-old-space-size=2048',
  '--single-threaded',
];

type Measured = {
  reports: number;
  bytes: number;
  pages: number;
  findings: number;
  rounds: Round[];
};

/**
 * Everything the scan does to a report beyond parsing it, against `JSON.parse` of the same
 * pages, page by page as the scan reads them: each page is parsed, handled and dropped before
 * the next. The target is that handling a report costs at most twice parsing it. Its processes are
 * spread over a whole run (bench/run.ts), or run one after the other under `--only`.
 */
export const validationVsParse: SpreadBenchmark<Measured> = {
  sampleCount: PROCESSES,
  sample: () =>
    runChild<Measured>(
      'parse-rounds',
      {
        rounds: WARM_UP + ROUNDS,
        pageSize: PAGE_SIZE,
        fleet: FLEET,
        lookbackMs: LOOKBACK_MS,
        nowMs: BENCH_NOW,
      },
      ['--expose-gc', ...HEAP_FLAGS],
    ),
  result,
};

function result(children: readonly Measured[], spread: boolean): BenchResult {
  const { reports, bytes, pages, findings } = children[0] as Measured;
  // The first rounds of each process warm the JIT up; the rest of every process are pooled.
  // The ratio is (whole − parse only) / parse only in CPU time of the process (user + system;
  // with no helper threads that is the work done, garbage collection and compiling included),
  // taken in each round, then the median of those. CPU time, unlike wall time, does not grow
  // while another process holds the core; the median is not moved by a round that a burst of
  // cache-hungry neighbours slowed. The wall-clock ratio is shown beside it. The steps' timers
  // within the whole pass are wall time and charge a collection to whichever step it
  // interrupts, so they show where the time goes but move from run to run.
  const cpuRatioOf = (r: Round) => (r.wholeCpu - r.parseOnlyCpu) / r.parseOnlyCpu;
  const wallRatioOf = (r: Round) => (r.whole - r.parseOnly) / r.parseOnly;
  const measuredOf = (c: Measured) => c.rounds.slice(WARM_UP);
  const measured = children.flatMap(measuredOf);
  const perProcess = children.map((c) => median(measuredOf(c).map(cpuRatioOf)));
  const of = (step: (r: Round) => number) => median(measured.map(step));
  const parse = of((r) => r.parseOnly);
  const ratio = median(measured.map(cpuRatioOf));
  const wallRatio = median(measured.map(wallRatioOf));
  const share = (step: (r: Round) => number) => median(measured.map((r) => step(r) / r.parse));
  const rate = (ms: number) => `${fmt(reports / (ms / 1000))} reports/s (${fmt(ms, 1)} ms)`;
  return {
    title: 'Per-report work vs JSON.parse, page by page',
    method:
      `${fmt(reports)} simulated reports of ${(FLEET.chargers ?? 0) * 2} connectors (${fmt(bytes / 1e6, 1)} MB in ${pages} API pages of up to ${PAGE_SIZE}, ` +
      'as the simulator serves them; one in five with an injected fault). Each round parses every page and drops it (parse only), and ' +
      'parses every page, handles it as the scan does and drops it (whole); the ratio is (whole − parse only) / parse only, in CPU time ' +
      'of the process (user + system), taken per round. ' +
      `${children.length} fresh processes ${spread ? 'spread over the whole run (the first before every other benchmark, the last after them, the rest between)' : 'one after the other (`--only`)'}, each with fixed heap flags (${HEAP_FLAGS.join(' ')}, --expose-gc), ` +
      `${WARM_UP} warm-up rounds then ${ROUNDS} measured; the two passes alternate which goes first from round to round, each after a full collection. ` +
      `Figures are medians of the ${children.length * ROUNDS} measured rounds pooled (the ratio: the median of the rounds' own ratios); ` +
      "the steps' shares are of the parse within the whole pass, in wall time.",
    figures: [
      {
        label: 'JSON.parse, page by page (parse only)',
        value: `${rate(parse)}, CPU ${fmt(
          of((r) => r.parseOnlyCpu),
          1,
        )} ms`,
      },
      {
        label: 'parse and handle, page by page (whole)',
        value: `${rate(of((r) => r.whole))}, CPU ${fmt(
          of((r) => r.wholeCpu),
          1,
        )} ms`,
      },
      {
        label: 'reading the page: envelope, item texts (archive body), digest',
        ratio: share((r) => r.read),
        value: `${rate(of((r) => r.read))}, ${fmt(
          share((r) => r.read),
          2,
        )}× parse`,
      },
      {
        label: 'validation',
        ratio: share((r) => r.validate),
        value: `${rate(of((r) => r.validate))}, ${fmt(
          share((r) => r.validate),
          2,
        )}× parse`,
      },
      {
        label: 'rules and session facts',
        ratio: share((r) => r.judge),
        value: `${rate(of((r) => r.judge))}, ${fmt(
          share((r) => r.judge),
          2,
        )}× parse, ${fmt(findings)} findings`,
      },
      {
        label: 'wall-clock ratio (whole − parse only) / parse only',
        ratio: wallRatio,
        value: `${fmt(wallRatio, 2)} (not judged: it moves with the load on the machine)`,
      },
      {
        label: 'cost ratio (whole − parse only) / parse only',
        value: `${fmt(ratio, 2)} in CPU time (per process: ${perProcess.map((p) => fmt(p, 2)).join(', ')})`,
        target: `≤ ${fmt(TARGET, 2)}`,
        pass: ratio <= TARGET,
        ratio,
      },
    ],
    notes: NOTES,
  };
}
