import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { parseConfig } from '../functions/config/config.ts';
import { nodeOptions } from '../functions/lambda/memory-budget.ts';
import type { SimulatorStats } from '../functions/simulator/server.ts';
import { planRun } from '../functions/wiring/fan-out-steps.ts';
import { runChild, startChild } from './children.ts';
import { prediction } from './fan-out-prediction.ts';
import {
  AT_ONCE,
  CHARGERS,
  CONCURRENCY,
  CONNECTORS,
  LATENCY_MS,
  mib,
  PER_SHARD,
  seconds,
  type Timed,
} from './fan-out-setup.ts';
import {
  BENCH_NOW,
  BENCH_NOW_ISO,
  type BenchResult,
  type Figure,
  fmt,
  simulatedFleet,
} from './harness.ts';
import type { StepMeasure } from './processes/fan-out-step.ts';

/** What BENCHMARKS.md says under "Fan-out: 10,000 chargers in shards", below its figures. */
const NOTES = [
  "Every run checks that no connector failed, the fleet-wide step finished, and both runs fetched, archived and told exactly the same. The finish step reads each shard's part as it arrives and puts its sessions, state records and KPI rows into temp files as a single run does, and writes the finished day's KPI partition a row at a time; every step runs with the V8 flags of its deployed function, whose 4 MB young generation kept 23 MiB of short-lived garbage out of the finish's peak (59.6 against 36.9 MiB, back to back with and without it). The 20,000-charger figures are a prediction from the capacity model (functions/scan/capacity.ts), not a measurement.",
];

const PAGE_SIZE = 500;
const LOOKBACK_HOURS = 8;
/** The throughput benchmark's judged case: 2 sessions per connector in the window, one page each. */
const SPARSE = { sessionIntervalMinutes: 180, anomalyEvery: 5 };
const TARGET = 1.25;
/** What the finish step may add to its process's peak RSS for the whole fleet, in MiB. */
const FINISH_MEMORY_TARGET_MIB = 64;
/** The memory the stack gives the scan function by default (infra/deployment-settings.ts). */
const FUNCTION_MB = 512;
/** Every step's process runs with the V8 flags its function is deployed with (NODE_OPTIONS). */
const STEP_FLAGS = nodeOptions(FUNCTION_MB).split(' ');
type Sim = { url: string; tokenUrl: string; statsUrl: string };

/**
 * The same 10,000-charger fleet scanned as one run in one process, and fanned out: planned into
 * 4 shards, each scanned in its own process as one Lambda invocation would scan it, 2 at a
 * time, then finished in a process of its own. What splitting costs is the shards' time added
 * up against the whole run's; the measured costs then feed the model's prediction for 20,000
 * chargers across 5 depots.
 */
export async function fanOut(): Promise<BenchResult> {
  const sim = await startChild<Sim>('counting-simulator', {
    fleet: { ...SPARSE, chargers: CHARGERS, connectorsPerCharger: 2 },
    latencyMs: LATENCY_MS,
    nowIso: BENCH_NOW_ISO,
  });
  try {
    const whole = await wholeRun(sim.info);
    const fanned = await fannedRun(sim.info);
    return described(whole, fanned);
  } finally {
    await sim.stop();
  }
}

/** One whole run of the fleet in one process, as one invocation. */
async function wholeRun(sim: Sim) {
  return inFreshFolders(async (dir) => {
    const before = await statsOf(sim);
    const measure = await step({ step: 'whole', ...configIn(sim, dir) });
    const served = difference(await statsOf(sim), before);
    return { measure, served, archive: archiveIn(join(dir, 'archive')) };
  });
}

/** The same fleet fanned out: plan, shards `AT_ONCE` at a time, finish, each step in its own process. */
async function fannedRun(sim: Sim) {
  return inFreshFolders(async (dir) => {
    const options = configIn(sim, dir);
    const before = await statsOf(sim);
    const started = performance.now();
    const config = parseConfig(
      { ...options.config, fleet: simulatedFleet(options.chargers) },
      'benchmark',
    );
    const planStarted = performance.now();
    const { shards, ...run } = planRun(config, PER_SHARD, BENCH_NOW);
    const planMs = performance.now() - planStarted;
    const shardMeasures: Timed[] = [];
    const queue = [...shards];
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        for (let shard = queue.shift(); shard; shard = queue.shift())
          shardMeasures[shard.index] = await step({ step: 'shard', ...options, run, shard });
      }),
    );
    const shardsMs = performance.now() - started;
    const finish = await step({
      step: 'finish',
      ...options,
      run,
      ends: shards.map((shard) => ({ shard })),
    });
    const totalMs = performance.now() - started;
    const served = difference(await statsOf(sim), before);
    return {
      shards,
      planMs,
      shardMeasures,
      shardsMs,
      finish,
      totalMs,
      served,
      archive: archiveIn(join(dir, 'archive')),
    };
  });
}

type Whole = Awaited<ReturnType<typeof wholeRun>>;
type Fanned = Awaited<ReturnType<typeof fannedRun>>;

function described(whole: Whole, fanned: Fanned): BenchResult {
  checked(whole, fanned);
  const w = whole.measure;
  const wholeBound = (w.apiRequests * LATENCY_MS) / CONCURRENCY;
  const shardSum = fanned.shardMeasures.reduce((n, s) => n + s.wallMs, 0);
  const splitRatio = shardSum / w.wallMs;
  const longest = fanned.shardMeasures.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  const longestBound = (longest.apiRequests * LATENCY_MS) / CONCURRENCY;
  const shardConnectors = fanned.shardMeasures.reduce((n, s) => n + s.connectors, 0);
  const shardCpuPerConnector =
    fanned.shardMeasures.reduce((n, s) => n + s.cpuMs, 0) / shardConnectors;
  const model = prediction(
    shardCpuPerConnector,
    fanned.planMs,
    fanned.finish,
    fanned.shardMeasures.map((s) => s.maxRssKb),
    w.maxRssKb,
  );

  const finishNetKb = fanned.finish.maxRssKb - fanned.finish.loadedKb;
  const figures: Figure[] = [
    {
      label: `whole run: ${fmt(CHARGERS)} chargers × 2 in one process`,
      value:
        `${seconds(w.wallMs)}, ${fmt(w.fetched)} reports, ${fmt(w.apiRequests)} requests, bound ${seconds(wholeBound)} (ratio ${fmt(w.wallMs / wholeBound, 2)}); ` +
        `CPU ${fmt(w.cpuMs / w.connectors, 2)} ms a connector, peak RSS ${mib(w.maxRssKb)}`,
      ratio: w.wallMs / wholeBound,
    },
    ...fanned.shardMeasures.map((s, i) => ({
      label: `shard ${i + 1} of ${fanned.shards.length}`,
      value:
        `${fmt(s.connectors)} connectors, ${seconds(s.wallMs)} (process ${seconds(s.processMs)}), ${fmt(s.apiRequests)} requests, ` +
        `CPU ${fmt(s.cpuMs / s.connectors, 2)} ms a connector, peak RSS ${mib(s.maxRssKb)}`,
    })),
    {
      label: 'finish (fleet-wide steps) in one process',
      value: `${seconds(fanned.finish.wallMs)} (process ${seconds(fanned.finish.processMs)}), CPU ${seconds(fanned.finish.cpuMs)}, peak RSS ${mib(fanned.finish.maxRssKb)}; plan ${fmt(fanned.planMs, 1)} ms`,
    },
    {
      label: `finish memory for ${fmt(CONNECTORS)} connectors (peak RSS less before its work)`,
      value: `${mib(finishNetKb)} (peak ${mib(fanned.finish.maxRssKb)}, before the work ${mib(fanned.finish.loadedKb)})`,
      target: `≤ ${FINISH_MEMORY_TARGET_MIB} MiB`,
      pass: finishNetKb / 1024 <= FINISH_MEMORY_TARGET_MIB,
      ratio: finishNetKb / 1024 / FINISH_MEMORY_TARGET_MIB,
    },
    {
      label: `fanned-out run, ${AT_ONCE} shards at a time`,
      value: `${seconds(fanned.totalMs)} plan to finish, processes included (shards ${seconds(fanned.shardsMs)}), against ${seconds(w.wallMs)} whole`,
    },
    {
      label: 'sum of shard times / whole run time',
      value: `${seconds(shardSum)} / ${seconds(w.wallMs)} = ${fmt(splitRatio, 2)}`,
      target: `≤ ${TARGET}`,
      pass: splitRatio <= TARGET,
      ratio: splitRatio,
    },
    {
      label: 'longest shard vs its network bound',
      value: `${seconds(longest.wallMs)} / ${seconds(longestBound)} (${fmt(longest.apiRequests)} requests × ${LATENCY_MS} ms / ${CONCURRENCY}) = ${fmt(longest.wallMs / longestBound, 2)}`,
      ratio: longest.wallMs / longestBound,
    },
    {
      label: 'checks: reports served = fetched, archive files',
      value:
        `whole ${fmt(w.fetched)} = ${fmt(whole.served.reportsServed)} served; fanned out ${fmt(fanned.finish.fetched)} = ${fmt(fanned.served.reportsServed)} served; ` +
        `archive: ${fmt(fanned.archive.files)} files fanned out, ${fmt(whole.archive.files)} whole, of them report files ${fmt(fanned.archive.reportFiles)} = ${fmt(whole.archive.reportFiles)}, ` +
        `incident history ${fmt(fanned.archive.historyLines)} notices in ${fmt(fanned.archive.historyFiles)} files = ${fmt(whole.archive.historyLines)} in ${fmt(whole.archive.historyFiles)}; ` +
        `findings ${fmt(fanned.finish.findings)} = ${fmt(w.findings)}`,
    },
    ...model.figures,
  ];
  const notes = NOTES;
  return {
    title: 'Fan-out: 10,000 chargers in shards',
    method:
      `${fmt(CHARGERS)} chargers × 2 connectors, 2 sessions per connector in the ${LOOKBACK_HOURS}-hour first-run window (one page each, one in five with a fault: the throughput benchmark's judged case); ` +
      `the simulator in its own process adds ${LATENCY_MS} ms a request, on the fixed clock ${BENCH_NOW_ISO}; scan.concurrency ${CONCURRENCY}, local folder archive and state. ` +
      `Whole: one scan of all ${fmt(CONNECTORS)} connectors in one process (one invocation). Fanned out: planRun with ${fmt(PER_SHARD)} connectors a shard, ` +
      `each shard scanned in its own process (scanDepotShard, as one Lambda invocation), ${AT_ONCE} at a time (${cpus().length} cores here), then finishFannedRun in its own process. ` +
      `Every step's process runs with the V8 flags of a ${FUNCTION_MB} MB function, as deployed (${STEP_FLAGS.join(' ')}). ` +
      'Step times are measured inside each process, process start excluded. The model figures are computed, not measured.',
    figures,
    notes,
  };
}

/** Throws unless both runs did the same, complete work: a benchmark of different work measures nothing. */
function checked(whole: Whole, fanned: Fanned): void {
  const steps = [whole.measure, ...fanned.shardMeasures, fanned.finish];
  const failed = steps.find((s) => s.failed > 0 || s.fleetError !== undefined);
  if (failed)
    throw new Error(
      `fan-out benchmark: the ${failed.step} step failed (${failed.failed} connectors, ${failed.fleetError ?? 'no fleet error'})`,
    );
  const shardFetched = fanned.shardMeasures.reduce((n, s) => n + s.fetched, 0);
  const problems = [
    whole.measure.fetched !== whole.served.reportsServed &&
      `the whole run fetched ${whole.measure.fetched} reports, the simulator served ${whole.served.reportsServed}`,
    fanned.finish.fetched !== fanned.served.reportsServed &&
      `the fanned-out run fetched ${fanned.finish.fetched} reports, the simulator served ${fanned.served.reportsServed}`,
    shardFetched !== fanned.finish.fetched &&
      `the shards fetched ${shardFetched} reports, the finish counted ${fanned.finish.fetched}`,
    fanned.finish.connectors !== CONNECTORS &&
      `the fanned-out run counted ${fanned.finish.connectors} connectors`,
    whole.measure.connectors !== CONNECTORS &&
      `the whole run counted ${whole.measure.connectors} connectors`,
    whole.measure.apiRequests !== whole.served.tokenRequests + whole.served.reportRequests &&
      `the whole run sent ${whole.measure.apiRequests} requests, the simulator answered ${whole.served.tokenRequests + whole.served.reportRequests}`,
    fanned.shardMeasures.reduce((n, s) => n + s.apiRequests, 0) !==
      fanned.served.tokenRequests + fanned.served.reportRequests &&
      `the shards sent ${fanned.shardMeasures.reduce((n, s) => n + s.apiRequests, 0)} requests, the simulator answered ${fanned.served.tokenRequests + fanned.served.reportRequests}`,
    fanned.archive.reportFiles !== whole.archive.reportFiles &&
      `the fanned-out run archived ${fanned.archive.reportFiles} report files, the whole run ${whole.archive.reportFiles}`,
    fanned.archive.historyLines !== whole.archive.historyLines &&
      `the fanned-out run's incident history holds ${fanned.archive.historyLines} notices, the whole run's ${whole.archive.historyLines}`,
    fanned.finish.findings !== whole.measure.findings &&
      `the fanned-out run found ${fanned.finish.findings} findings, the whole run ${whole.measure.findings}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`fan-out benchmark: ${problems.join('; ')}`);
}

/** Runs one step in a fresh process and times the process from outside too. */
async function step(options: Record<string, unknown>): Promise<Timed> {
  const started = performance.now();
  const measure = await runChild<StepMeasure>(
    'fan-out-step',
    { ...options, nowIso: BENCH_NOW_ISO },
    STEP_FLAGS,
  );
  return { ...measure, processMs: performance.now() - started };
}

/** The config of either run, in `dir`; the fleet is given as a count (see fan-out-step). */
function configIn(sim: Sim, dir: string) {
  return {
    config: {
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: join(dir, 'archive'),
      state: join(dir, 'state'),
      alerts: [join(dir, 'alerts.jsonl')],
      scan: {
        concurrency: CONCURRENCY,
        pageSize: PAGE_SIZE,
        initialLookbackHours: LOOKBACK_HOURS,
        requestTimeoutMs: 60_000,
      },
    },
    chargers: CHARGERS,
    baseDir: dir,
  };
}

async function inFreshFolders<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fan-out-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function statsOf(sim: Sim): Promise<SimulatorStats> {
  const response = await fetch(sim.statsUrl);
  if (!response.ok) throw new Error(`the simulator's stats: ${response.status}`);
  return (await response.json()) as SimulatorStats;
}

function difference(after: SimulatorStats, before: SimulatorStats): SimulatorStats {
  return {
    tokenRequests: after.tokenRequests - before.tokenRequests,
    reportRequests: after.reportRequests - before.reportRequests,
    throttled: after.throttled - before.throttled,
    reportsServed: after.reportsServed - before.reportsServed,
  };
}

/**
 * What an archive folder holds: its files, those outside `incidents/` (reports, quarantined
 * reports and their reasons), and the incident history's files and lines (one notice a line).
 */
function archiveIn(dir: string) {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
  const history = files.filter((f) => f.startsWith(`incidents${sep}`));
  return {
    files: files.length,
    reportFiles: files.length - history.length,
    historyFiles: history.length,
    historyLines: history.reduce(
      (n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).length,
      0,
    ),
  };
}
