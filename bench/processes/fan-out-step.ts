// One step of a scan run in a fresh process, as one Lambda invocation would run it, for the
// fan-out benchmark: a whole run (`whole`), one shard of a fanned-out run (`shard`), or its last
// step (`finish`). Options as JSON in argv; prints one JSON line: what the step did and took
// (wall and CPU time of the step alone, API requests, counts, peak RSS of the process).
import { archiveFrom, stateFrom } from '../../functions/adapters/from-config.ts';
import { parseConfig } from '../../functions/config/config.ts';
import { Secret } from '../../functions/core/secret.ts';
import { alertsFrom } from '../../functions/notifiers/from-config.ts';
import type { Log } from '../../functions/scan/ports.ts';
import type { Shard } from '../../functions/scan/shards.ts';
import { type ConnectorResult, totalsOf } from '../../functions/scan/summary.ts';
import type { DepotScanRuntime } from '../../functions/wiring/depot-scans.ts';
import { scanDepots } from '../../functions/wiring/depot-scans.ts';
import {
  finishFannedRun,
  type ShardEnd,
  scanDepotShard,
} from '../../functions/wiring/fan-out-steps.ts';
import { simulatedFleet } from '../harness.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  step: 'whole' | 'shard' | 'finish';
  /**
   * The config as the file would hold it (absolute archive, state and alerts paths), less its
   * fleet: the simulator's chargers HPC-001… with connectors 1 and 2, `chargers` of them (a
   * fleet of thousands is too long for one command-line argument).
   */
  config: Record<string, unknown>;
  chargers: number;
  baseDir: string;
  /** The scan's clock (ISO). */
  nowIso: string;
  /** The run's id and window end, for `shard` and `finish`. */
  run?: { runId: string; startedAt: string };
  shard?: Shard;
  ends?: ShardEnd[];
};

/** What one step did and took; printed as the process's last line. */
export interface StepMeasure {
  step: 'whole' | 'shard' | 'finish';
  wallMs: number;
  /** CPU of the process (user + system) during the step, in ms. */
  cpuMs: number;
  /** HTTP requests to the API, the token included. */
  apiRequests: number;
  connectors: number;
  failed: number;
  fetched: number;
  pages: number;
  archived: number;
  findings: number;
  alerted: number;
  openIncidents: number;
  fleetError?: string;
  maxRssKb: number;
  /** Peak RSS before the step's work began. */
  loadedKb: number;
}

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const config = parseConfig(
  { ...options.config, fleet: simulatedFleet(options.chargers) },
  'benchmark',
);
const now = Date.parse(options.nowIso);
let apiRequests = 0;
const counting: typeof fetch = (input, init) => {
  apiRequests++;
  return fetch(input, init);
};
const adapterOptions = { baseDir: options.baseDir };
// As functions/wiring/scan-from-config.ts builds it: the config's folders, one alert sink.
const archive = archiveFrom(config.archive, adapterOptions);
const alerts = alertsFrom(config.alerts, archive.location, adapterOptions);
const runtime: DepotScanRuntime = {
  credentials: () => ({
    clientId: new Secret('demo-client'),
    clientSecret: new Secret('demo-secret'),
  }),
  adapters: (depot) => ({ archive, state: stateFrom(depot.config.state, adapterOptions), alerts }),
  rootState: stateFrom(config.state, adapterOptions),
  log: quiet,
  fetch: counting,
  now: () => now,
};

const cpu = process.cpuUsage();
/** Peak RSS before the step's work: Node, tsx and the modules. */
const loadedKb = process.resourceUsage().maxRSS;
const started = performance.now();
let results: ConnectorResult[];
let summaryExtras: Pick<StepMeasure, 'alerted' | 'openIncidents' | 'fleetError'> | undefined;
let failed: number;
switch (options.step) {
  case 'whole':
  case 'finish': {
    const summary =
      options.step === 'whole'
        ? await scanDepots(config, runtime)
        : await finishFannedRun(config, runtime, required(options.run), required(options.ends));
    results = summary.connectors;
    failed = summary.failed.length;
    summaryExtras = {
      alerted: summary.totals.alerted,
      openIncidents: summary.totals.openIncidents,
      ...(summary.fleetError !== undefined ? { fleetError: summary.fleetError } : {}),
    };
    break;
  }
  case 'shard':
    results = await scanDepotShard(config, runtime, required(options.run), required(options.shard));
    failed = results.filter((r) => r.status !== 'ok').length;
    break;
}
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const totals = totalsOf(results);
const measure: StepMeasure = {
  step: options.step,
  wallMs,
  cpuMs: (used.user + used.system) / 1000,
  apiRequests,
  connectors: results.length,
  failed,
  fetched: totals.fetched,
  pages: totals.pages,
  archived: totals.archived,
  findings: totals.findings,
  alerted: summaryExtras?.alerted ?? totals.alerted,
  openIncidents: summaryExtras?.openIncidents ?? totals.openIncidents,
  ...(summaryExtras?.fleetError !== undefined ? { fleetError: summaryExtras.fleetError } : {}),
  maxRssKb: process.resourceUsage().maxRSS,
  loadedKb,
};
process.stdout.write(`${JSON.stringify(measure)}\n`);

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error(`the ${options.step} step needs its run and shard`);
  return value;
}
