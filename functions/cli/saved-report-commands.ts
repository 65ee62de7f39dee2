import { ConfigError } from '../config/config.ts';
import { IncidentSettingsBook } from '../core/incidents/settings.ts';
import { silencer } from '../core/incidents/silences.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import { runBacktest } from './backtest.ts';
import type { CommandIo } from './command-io.ts';
import { parseDuration } from './duration.ts';
import { parseFlags } from './flags.ts';
import { loadConfigFile } from './load-config.ts';
import { type Loudness, loudnessOf } from './progress.ts';
import { runReplay } from './replay.ts';
import { type WorkTracker, workVoice } from './work-progress.ts';

/** `depot-watch replay`: the rules over saved reports, with the config's thresholds. */
export async function runReplayCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'include-quarantine': { type: 'boolean', default: false },
    },
    true,
  );
  const loudness = loudnessOf(values);
  if (positionals.length === 0) throw new ConfigError('replay needs at least one file or folder');
  // Reports name their chargers: a config kept for its thresholds needs no fleet here.
  const config = values.config
    ? await loadConfigFile(values.config, { fleet: 'optional' })
    : undefined;
  const thresholds = new ThresholdBook(
    (config?.thresholds ?? {}) as ThresholdsInput,
    config?.overrides ?? [],
  );
  return withProgress('replay', loudness, io, (voice) =>
    runReplay({
      paths: positionals,
      thresholds,
      json: values.json,
      includeQuarantine: values['include-quarantine'],
      quiet: values.quiet,
      ...voice,
    }),
  );
}

/** `depot-watch backtest`: saved reports replayed as scheduled scans, with every notice told. */
export async function runBacktestCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      config: { type: 'string' },
      every: { type: 'string', default: '15m' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    true,
  );
  const loudness = loudnessOf(values);
  if (positionals.length === 0) throw new ConfigError('backtest needs at least one file or folder');
  const config = values.config
    ? await loadConfigFile(values.config, { fleet: 'optional' })
    : undefined;
  const everyMinutes = parseDuration(values.every, '--every') / 60_000;
  // The backtest's clock steps in whole minutes, as the schedule does.
  if (!Number.isInteger(everyMinutes))
    throw new ConfigError(`--every takes whole minutes such as 15m or 1h, got "${values.every}"`);
  return withProgress('backtest', loudness, io, (voice) =>
    runBacktest({
      paths: positionals,
      thresholds: new ThresholdBook(
        (config?.thresholds ?? {}) as ThresholdsInput,
        config?.overrides ?? [],
      ),
      incidents: new IncidentSettingsBook(config?.incidents, config?.overrides ?? []),
      // The config's silences and windows; those set with `silence add` are for the live depot.
      ...(config ? { silenced: silencer(config.silences, config.maintenanceWindows) } : {}),
      everyMinutes,
      json: values.json,
      quiet: values.quiet,
      ...voice,
    }),
  );
}

/**
 * Runs a command that reads saved reports with its progress on stderr (none with --quiet), its
 * stdout and stderr lines written above the progress line, and the line gone when it ends.
 */
async function withProgress(
  label: string,
  loudness: Loudness,
  io: CommandIo,
  run: (above: {
    progress?: WorkTracker;
    write: (text: string) => void;
    writeError: (text: string) => void;
  }) => Promise<number>,
): Promise<number> {
  const voice = workVoice(label, loudness);
  try {
    return await run({
      ...(voice.progress ? { progress: voice.progress } : {}),
      write: voice.above(io.write),
      writeError: voice.above(io.writeError),
    });
  } finally {
    voice.finish();
  }
}
