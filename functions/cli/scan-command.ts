import { dirname, resolve } from 'node:path';
import { type DryRunAlerts, dryRunAdapters } from '../adapters/dry-run.ts';
import { archiveFrom, stateFrom } from '../adapters/from-config.ts';
import { ConfigError } from '../config/config.ts';
import { credentialsFrom } from '../config/credentials.ts';
import type { DepotScope } from '../config/depot-scopes.ts';
import { describeAlerts } from '../notifiers/registry.ts';
import { runFailed, type ScanSummary } from '../scan/summary.ts';
import { scanFromConfig } from '../wiring/scan-from-config.ts';
import type { CommandIo } from './command-io.ts';
import { parseDuration } from './duration.ts';
import { parseFlags, where } from './flags.ts';
import { loadConfigFile } from './load-config.ts';
import { formatScanSummary } from './print-summary.ts';
import { loudnessOf, scanVoice } from './progress.ts';

/**
 * `depot-watch scan`: one scan with the adapters the config names (nothing written or sent
 * with --dry-run), then the summary. Exit 0 every connector read, 1 any not.
 */
export async function runScanCommand(args: string[], io: CommandIo): Promise<number> {
  const { write: out } = io;
  const { values } = parseFlags(args, {
    config: { type: 'string' },
    deadline: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  });
  const loudness = loudnessOf(values);
  if (!values.config) throw new ConfigError('scan needs --config <file>');
  const deadline =
    values.deadline !== undefined
      ? Date.now() + parseDuration(values.deadline, '--deadline')
      : undefined;
  const config = await loadConfigFile(values.config);
  const baseDir = dirname(resolve(values.config));
  // One fleet: missing credentials are a config error before anything starts. Several depots:
  // each depot's own are read as it starts, and a depot without them fails alone.
  const credentials = config.depots.length === 0 ? credentialsFrom(config) : undefined;
  const voice = scanVoice('scan', loudness, 'warn');
  // A dry run's alert sinks, one per depot, count what they would send.
  const dryAlerts: DryRunAlerts[] = [];
  const dryRunOf = (depot: DepotScope) => {
    const adapters = dryRunAdapters(
      {
        state: stateFrom(depot.config.state, { baseDir }),
        archive: archiveFrom(config.archive, {
          baseDir,
          ...(depot.name !== undefined ? { depot: depot.name } : {}),
        }),
      },
      voice.above(out),
    );
    dryAlerts.push(adapters.alerts);
    return adapters;
  };
  const dryRun = () =>
    values['dry-run']
      ? { noticesToSend: dryAlerts.reduce((sum, alerts) => sum + alerts.noticesToSend, 0) }
      : undefined;
  let summary: ScanSummary;
  try {
    summary = await scanFromConfig(config, {
      ...(credentials ? { credentials } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      log: voice.log,
      ...(voice.progress ? { progress: voice.progress } : {}),
      baseDir,
      write: voice.above(out),
      // Reads the real state (windows, incidents) but writes, archives and sends nothing.
      ...(values['dry-run'] ? { depotAdapters: dryRunOf } : {}),
    });
    voice.finish(dryRun()?.noticesToSend ?? summary.totals.alerted);
  } finally {
    voice.finish();
  }
  // Quiet: the alerts (already out) and the exit code say it all.
  if (loudness === 'quiet') return runFailed(summary) ? 1 : 0;
  if (values['dry-run'])
    out(
      'Dry run: nothing archived, no state written, no notice sent; the counts are what a scan would have done.\n',
    );
  out(formatScanSummary(summary, where(config.archive, baseDir), dryRun()));
  out(`Alerts: ${describeAlerts(config.alerts, baseDir).join(', ')}\n`);
  return runFailed(summary) ? 1 : 0;
}
