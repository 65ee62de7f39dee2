import { access, constants, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig } from '../config/config.ts';
import { Secret } from '../core/secret.ts';
import { weekEndingToday } from '../health-report/model/report-period.ts';
import { reportSourcesFrom } from '../health-report/report-sources.ts';
import { writeHealthReport } from '../health-report/write-report.ts';
import type { Log, ScanProgress } from '../scan/ports.ts';
import { runFailed } from '../scan/summary.ts';
import { DepotSimulator } from '../simulator/server.ts';
import { scanFromConfig } from '../wiring/scan-from-config.ts';
import { consoleLog } from './console-log.ts';
import { DEMO_SIGNING_KEY, DemoReceiver } from './demo-receiver.ts';
import { runIncidents } from './incidents.ts';
import { formatScanSummary } from './print-summary.ts';

/** The simulated bus whose battery fails the alignment check wherever it charges. */
export const DEMO_FAULTY_BUS = 'BUS-117';
/** The simulated converter drift: 95 % to 91 % over the six days before today. */
const DEMO_DRIFT = { connectorId: '2', fromPercent: 95, toPercent: 91, days: 6 };

/** Options of `depot-watch demo`. */
export interface DemoOptions {
  /** Folder for archive, state and alerts file. Default: ./.depot-watch. */
  dir: string;
  seed: number;
  chargers: number;
  /** Simulated depots, each with its own API and fleet. Default: 1. */
  depots?: number;
  /** Alerts and errors only: no banner, no summary, no listing. Default: false. */
  quiet?: boolean;
  /**
   * Also deliver every notice to a signed webhook, to a receiver the demo starts on this
   * machine, and print what it got. Default: false.
   */
  webhook?: boolean;
  /** Where log lines go. Default: errors on stderr. */
  log?: Log;
  /** Told how the scan goes, for a person watching. Default: none. */
  progress?: ScanProgress & { finish(notices?: number): void };
  write: (text: string) => void;
}

/**
 * The whole product on one machine: a simulated DepotFinity API on a free port, one scan of
 * its fleet with the local adapters, alerts on stdout and in a JSONL file, then a summary.
 * Running it again shows the cursor and the incidents at work: nothing opens twice, and what
 * was fixed since is resolved.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  // What is said besides the alerts; --quiet keeps only those (and errors, on stderr).
  const say = options.quiet ? () => {} : options.write;
  // A folder the demo cannot write is said once, before a depot is simulated and half a scan
  // fails on it: the error names the folder (see pathErrorSentence).
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  await access(dir, constants.W_OK);
  const count = options.depots ?? 1;
  const simulators = await Promise.all(
    Array.from({ length: count }, (_, index) => startDemoDepot(options, index)),
  );
  const receiver = options.webhook ? await new DemoReceiver().start() : undefined;
  try {
    const [first] = simulators;
    if (!first) throw new Error('the demo needs at least one depot');
    const { fleet } = first;
    const names = simulators.map((_, index) => demoDepotName(index));
    say(
      count === 1
        ? `depot-watch demo: a simulated depot of ${fleet.options.chargers} chargers × ${fleet.options.connectorsPerCharger} connectors ` +
            `(seed ${fleet.options.seed}) at ${first.url}\n\n`
        : `depot-watch demo: ${count} simulated depots (${names.join(', ')}), each of ${fleet.options.chargers} chargers × ${fleet.options.connectorsPerCharger} connectors, ` +
            `each with its own API (${simulators.map((s) => s.url).join(', ')})\n\n`,
    );
    const fleetOf = (sim: DepotSimulator) =>
      sim.fleet
        .chargerIds()
        .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() }));
    const apiOf = (sim: DepotSimulator) => ({ tokenUrl: sim.tokenUrl, baseUrl: sim.url });
    const config = parseConfig(
      {
        ...(count === 1
          ? { fleet: fleetOf(first), api: apiOf(first) }
          : {
              depots: simulators.map((sim, index) => ({
                name: names[index],
                api: apiOf(sim),
                fleet: fleetOf(sim),
              })),
            }),
        archive: resolve(dir, 'archive'),
        state: resolve(dir, 'state'),
        alerts: [
          'stdout',
          resolve(dir, 'alerts.jsonl'),
          ...(receiver
            ? [{ type: 'webhook', url: receiver.url, signingKey: DEMO_SIGNING_KEY }]
            : []),
        ],
        scan: {
          pageSize: 10,
          // Two weeks back: enough for drift baselines and for a bus to visit several chargers.
          initialLookbackHours: 14 * 24,
          overlapMinutes: 360,
          requestTimeoutMs: 5_000,
        },
      },
      'the demo settings',
    );
    const summary = await scanFromConfig(config, {
      credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
      log: options.log ?? consoleLog('error'),
      ...(options.progress ? { progress: options.progress } : {}),
      baseDir: dir,
      write: options.write,
    });
    options.progress?.finish(summary.totals.alerted);
    if (summary.totals.alerted === 0) {
      const open = summary.totals.openIncidents;
      say(
        `No new notices${open > 0 ? `: ${open} incident(s) still open, already notified` : ''}.\n\n`,
      );
    }
    say(formatScanSummary(summary, config.archive));
    say(`Alerts file: ${resolve(dir, 'alerts.jsonl')}\n\n`);
    if (receiver) say(`${receiver.report()}\n`);
    if (!options.quiet) {
      say('Still open now: ');
      await runIncidents({
        config,
        baseDir: dir,
        openOnly: true,
        json: false,
        write: say,
        writeError: say,
      });
    }
    await writeDemoReport(config, dir, say);
    return runFailed(summary) ? 1 : 0;
  } finally {
    await Promise.all([...simulators.map((sim) => sim.stop()), receiver?.stop()]);
  }
}

/** The demo's depot names: compass points, then numbered. */
export function demoDepotName(index: number): string {
  return ['north', 'south', 'east', 'west'][index] ?? `depot-${index + 1}`;
}

/**
 * One simulated depot of the demo on a free port. The first has the demo's seed; each other
 * its own, so the depots' sessions differ while their charger ids (HPC-001 …) are alike.
 */
function startDemoDepot(options: DemoOptions, index: number): Promise<DepotSimulator> {
  const startOfToday = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  return new DepotSimulator({
    fleet: {
      seed: options.seed + index,
      chargers: options.chargers,
      // Two weeks of sessions: one in twelve with a random fault keeps the first screen readable.
      anomalyEvery: 12,
      invalidEvery: 13,
      // A bus whose battery fails the alignment check on every charger it uses, and a
      // converter losing efficiency over the last six days while staying above the 90 % floor:
      // what only the fleet's longer view can see.
      faultyVehicle: DEMO_FAULTY_BUS,
      drift: {
        ...DEMO_DRIFT,
        chargerId: `HPC-${String(Math.min(3, options.chargers)).padStart(3, '0')}`,
        endsAt: startOfToday,
      },
    },
  }).start();
}

/**
 * The demo depot's health report, as `depot-watch report` writes it, but for the 7 days up to
 * today: the demo's sessions are recent, so the last complete week would be half empty. A
 * report that cannot be written is said, and the scan's outcome stands.
 */
async function writeDemoReport(
  config: { state: string; archive: string },
  dir: string,
  write: (text: string) => void,
): Promise<void> {
  const now = Date.now();
  try {
    const { path } = await writeHealthReport(
      reportSourcesFrom(config, { baseDir: dir }),
      { period: weekEndingToday(now), depot: 'Demo depot', now },
      resolve(dir, 'health-report.html'),
    );
    write(`\nHealth report: ${path}\n`);
  } catch (error) {
    write(`\nHealth report not written: ${(error as Error).message}\n`);
  }
}
