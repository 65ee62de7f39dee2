import { resolve } from 'node:path';
import { parseConfig } from '../config/config.ts';
import { Secret } from '../core/secret.ts';
import { runFailed } from '../scan/summary.ts';
import { DepotSimulator } from '../simulator/server.ts';
import { scanFromConfig } from '../wiring/scan-from-config.ts';
import { consoleLog } from './console-log.ts';
import { runIncidents } from './incidents.ts';
import { formatScanSummary } from './print-summary.ts';

/** Options of `depot-watch demo`. */
export interface DemoOptions {
  /** Folder for archive, state and alerts file. Default: ./.depot-watch. */
  dir: string;
  seed: number;
  chargers: number;
  verbose: boolean;
  write: (text: string) => void;
}

/**
 * The whole product on one machine: a simulated DepotFinity API on a free port, one scan of
 * its fleet with the local adapters, alerts on stdout and in a JSONL file, then a summary.
 * Running it again shows the cursor and the incidents at work: nothing opens twice, and what
 * was fixed since is resolved.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const simulator = await new DepotSimulator({
    fleet: { seed: options.seed, chargers: options.chargers, anomalyEvery: 5, invalidEvery: 13 },
  }).start();
  try {
    const dir = resolve(options.dir);
    const { fleet } = simulator;
    options.write(
      `depot-watch demo: a simulated depot of ${fleet.options.chargers} chargers × ${fleet.options.connectorsPerCharger} connectors ` +
        `(seed ${fleet.options.seed}) at ${simulator.url}\n\n`,
    );
    const config = parseConfig(
      {
        fleet: fleet
          .chargerIds()
          .map((chargerId) => ({ chargerId, connectors: fleet.connectorIds() })),
        api: { tokenUrl: simulator.tokenUrl, baseUrl: simulator.url },
        archive: resolve(dir, 'archive'),
        state: resolve(dir, 'state'),
        alerts: ['stdout', resolve(dir, 'alerts.jsonl')],
        scan: {
          pageSize: 10,
          initialLookbackHours: 72,
          overlapMinutes: 360,
          requestTimeoutMs: 5_000,
        },
      },
      'the demo settings',
    );
    const summary = await scanFromConfig(config, {
      credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
      log: consoleLog(options.verbose ? 'info' : 'error'),
      baseDir: dir,
      write: options.write,
    });
    if (summary.totals.alerted === 0) {
      const open = summary.totals.openIncidents;
      options.write(
        `No new notices${open > 0 ? `: ${open} incident(s) still open, already notified` : ''}.\n\n`,
      );
    }
    options.write(formatScanSummary(summary, config.archive));
    options.write(`Alerts file: ${resolve(dir, 'alerts.jsonl')}\n\nStill open now: `);
    await runIncidents({ config, baseDir: dir, openOnly: true, json: false, write: options.write });
    return runFailed(summary) ? 1 : 0;
  } finally {
    await simulator.stop();
  }
}
