import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Archive } from '../functions/adapters/s3-archive.ts';
import { parseS3Uri } from '../functions/adapters/s3-location.ts';
import { S3State } from '../functions/adapters/s3-state.ts';
import { parseConfig } from '../functions/config/config.ts';
import { Secret } from '../functions/core/secret.ts';
import { runFailed } from '../functions/scan/summary.ts';
import { scanFromConfig } from '../functions/wiring/scan-from-config.ts';
import { runChild, startChild } from './children.ts';
import { CountingS3, type RunTally, requestsUnder } from './fixtures/s3-request-tally.ts';
import { type BenchResult, type Figure, fmt, simulatedFleet } from './harness.ts';

/** What BENCHMARKS.md says under "Fleet-wide state: S3 requests and record size", below its figures. */
const NOTES = [
  "Fleet intelligence and drift live in the depot's one state document, so they add no S3 request of their own: the figures compare a scan with them on and off. Their records are bounded by their windows, not by the history.",
];

const CHARGERS = 200;
const CONNECTORS = CHARGERS * 2;
const EVERY_MS = 15 * 60_000;
/** Runs counted after the first: one cursor refresh cycle (60 minutes at 15), so every kind of run is in the mean. */
const STEADY_RUNS = 4;
/** The first run's clock; the steady runs follow every 15 minutes. Their 8-hour overlap reaches into the day before. */
const FIRST_RUN = Date.parse('2026-11-02T06:00:00.000Z');
const BUCKET = 'bench-fleet';
const PREFIXES = ['state/fleet/', 'state/kpis/', 'state/incidents/', 'state/cursors/', 'archive/'];
/** What fleet intelligence adds to the state store. */
const EXTRA = ['state/fleet/', 'state/kpis/'];
const TARGET_PER_CONNECTOR = 2;
const HISTORY_DAYS = [14, 28, 56] as const;
const HISTORY_END = '2026-11-01T00:00:00.000Z';
const TARGET_GROWTH = 1.25;

type Sim = { url: string; tokenUrl: string; clockUrl: string };
/** What bench/processes/fleet-history.ts reports for one history length. */
interface HistoryFigures {
  days: number;
  sessions: number;
  heapWithHistory: number;
  attributionBytes: number;
  marks: number;
  connectorBytes: number;
  connectorDriftBytes: number;
  largestConnectorBytes: number;
  recordsHeapBytes: number;
  gcExposed: boolean;
  maxRssKb: number;
}

/**
 * What the fleet-wide state costs: S3 requests per steady-state run of a 200-charger depot
 * with attribution and drift on and off, and the size of the records the engine keeps after
 * 14, 28 and 56 days of history.
 */
export async function fleetState(): Promise<BenchResult> {
  // The history children run beside the S3 runs: they take minutes, and one core each.
  const histories = historyFigures();
  const requests = await requestFigures();
  const history = await histories;
  return {
    title: 'Fleet-wide state: S3 requests and record size',
    method:
      `Requests: ${1 + STEADY_RUNS} scans of a simulated ${CHARGERS}-charger × 2 depot against s3rver on a fixed clock (a first 24-hour run, then ` +
      `${STEADY_RUNS} runs 15 minutes apart, counted), once with the default config and once with \`incidents: { attribution: { enabled: false }, ` +
      'drift: { enabled: false } }`, each from empty state; every request counted by kind and key prefix. Records: the core `backtest` ' +
      `over ${HISTORY_DAYS.join(', ')} days of the same fleet's sessions, each in a fresh process run with --expose-gc; sizes are the JSON ` +
      'the state store would hold after the last run.',
    figures: [...requests.figures, ...historyReport(history)],
    notes: NOTES,
  };
}

/** Counts one variant's steady-state runs, one tally per run. */
async function countRuns(
  variant: 'on' | 'off',
  sim: Sim,
  s3: CountingS3,
): Promise<{ runs: RunTally[]; sessions: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-state-'));
  try {
    const config = parseConfig(
      {
        fleet: simulatedFleet(CHARGERS),
        api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
        archive: `s3://${BUCKET}/${variant}/archive`,
        state: `s3://${BUCKET}/${variant}/state`,
        alerts: [join(dir, 'alerts.jsonl')],
        scan: { concurrency: 8, requestTimeoutMs: 60_000 },
        ...(variant === 'off'
          ? { incidents: { attribution: { enabled: false }, drift: { enabled: false } } }
          : {}),
      },
      'benchmark',
    );
    const archive = new S3Archive(s3.client, parseS3Uri(config.archive, 'archive'));
    const state = new S3State(s3.client, parseS3Uri(config.state, 'state'));
    const runs: RunTally[] = [];
    let sessions = 0;
    for (let run = 0; run <= STEADY_RUNS; run++) {
      const at = FIRST_RUN + run * EVERY_MS;
      const clock = await fetch(sim.clockUrl, { method: 'PUT', body: new Date(at).toISOString() });
      if (!clock.ok) throw new Error(`simulator clock not set: ${clock.status}`);
      s3.current = run === 0 ? undefined : new Map();
      const summary = await scanFromConfig(config, {
        credentials: {
          clientId: new Secret('demo-client'),
          clientSecret: new Secret('demo-secret'),
        },
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
        baseDir: dir,
        archive,
        state,
        now: () => at,
      });
      if (runFailed(summary))
        throw new Error(
          `benchmark scan failed: ${summary.fleetError ?? summary.failed[0]?.error ?? ''}`,
        );
      if (s3.current) runs.push(s3.current);
      if (run > 0) sessions += summary.totals.archived;
    }
    s3.current = undefined;
    return { runs, sessions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function requestFigures(): Promise<{ figures: Figure[]; notes: string[] }> {
  const sim = await startChild<Sim>('clocked-simulator', {
    fleet: { chargers: CHARGERS, connectorsPerCharger: 2, anomalyEvery: 5 },
    nowIso: new Date(FIRST_RUN).toISOString(),
  });
  const server = await startChild<{ endpoint: string }>('s3rver', { bucket: BUCKET });
  const s3 = new CountingS3(server.info.endpoint, PREFIXES);
  try {
    const on = await countRuns('on', sim.info, s3);
    const off = await countRuns('off', sim.info, s3);
    return requestReport(on, off);
  } finally {
    s3.client.destroy();
    await server.stop();
    await sim.stop();
  }
}

function requestReport(
  on: { runs: RunTally[]; sessions: number },
  off: { runs: RunTally[]; sessions: number },
): { figures: Figure[]; notes: string[] } {
  const mean = (runs: RunTally[], prefixes: readonly string[]) =>
    runs.reduce((n, run) => n + requestsUnder(run, prefixes), 0) / runs.length;
  const extra = on.runs.map((run) => requestsUnder(run, EXTRA));
  const extraMean = mean(on.runs, EXTRA);
  const perConnector = extraMean / CONNECTORS;
  const everything = [...PREFIXES, 'other'];
  const totalOn = mean(on.runs, everything);
  const totalOff = mean(off.runs, everything);
  const byKind = (runs: RunTally[], prefix: string) =>
    (['GET', 'PUT', 'HEAD', 'LIST'] as const)
      .map((kind) => {
        const n = runs.reduce((sum, run) => sum + (run.get(prefix)?.requests[kind] ?? 0), 0);
        return n > 0 ? `${fmt(n / runs.length, 1)} ${kind}` : '';
      })
      .filter(Boolean)
      .join(' + ') || 'none';
  return {
    figures: [
      {
        label: 'fleet + KPI requests per run (on)',
        value: `${fmt(extraMean, 1)} (runs: ${extra.join(', ')})`,
      },
      {
        label: 'fleet + KPI requests per connector per run',
        value: fmt(perConnector, 4),
        target: `≤ ${TARGET_PER_CONNECTOR}`,
        pass: perConnector <= TARGET_PER_CONNECTOR,
        ratio: perConnector,
      },
      ...everything.map((prefix) => ({
        label: `${prefix === 'other' ? 'other keys' : prefix} per run, on / off`,
        value: `${byKind(on.runs, prefix)} / ${byKind(off.runs, prefix)}`,
      })),
      {
        label: 'all S3 requests per run, on / off',
        ratio: totalOn / totalOff,
        value: `${fmt(totalOn, 1)} / ${fmt(totalOff, 1)} = ${fmt(totalOn / totalOff, 3)}`,
      },
    ],
    notes: NOTES,
  };
}

/** Runs the history lengths in fresh processes, the longest beside the two shorter ones. */
async function historyFigures(): Promise<HistoryFigures[]> {
  const one = (days: number) =>
    runChild<HistoryFigures>('fleet-history', { chargers: CHARGERS, days, endIso: HISTORY_END }, [
      '--expose-gc',
    ]);
  const [shortest, middle, longest] = HISTORY_DAYS;
  const [longer, shorter] = await Promise.all([
    one(longest),
    one(shortest).then(async (s) => [s, await one(middle)] as const),
  ]);
  return [...shorter, longer];
}

function historyReport(runs: readonly HistoryFigures[]): Figure[] {
  const first = runs[0] as HistoryFigures;
  const last = runs[runs.length - 1] as HistoryFigures;
  const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
  const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MiB`;
  const growth = (label: string, of: (r: HistoryFigures) => number): Figure => {
    const ratio = of(last) / of(first);
    return {
      label: `${label}, ${last.days} / ${first.days} days`,
      value: fmt(ratio, 2),
      target: `≤ ${TARGET_GROWTH}`,
      pass: ratio <= TARGET_GROWTH,
      ratio,
    };
  };
  return [
    ...runs.map((r) => ({
      label: `${r.days} days (${fmt(r.sessions)} sessions)`,
      value:
        `attribution ${mib(r.attributionBytes)} (${fmt(r.marks)} sessions); HPC-001/1 ${kib(r.connectorBytes)} ` +
        `(drift ${kib(r.connectorDriftBytes)}, largest ${kib(r.largestConnectorBytes)}); records hold ${mib(r.recordsHeapBytes)} of heap; ` +
        `history input ${mib(r.heapWithHistory)} of heap; peak RSS ${mib(r.maxRssKb * 1024)}`,
    })),
    growth('attribution record', (r) => r.attributionBytes),
    growth('connector record', (r) => r.connectorBytes),
    growth('heap the records hold', (r) => r.recordsHeapBytes),
  ];
}
