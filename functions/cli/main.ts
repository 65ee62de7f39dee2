import { dirname, resolve } from 'node:path';
import { stateFrom } from '../adapters/from-config.ts';
import { ConfigError, parseConfig } from '../config/config.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import { CredentialsRefusedError } from '../sources/depotfinity/errors.ts';
import { runConfigCommand } from './config-check.ts';
import { runDemo } from './demo.ts';
import { errorSentence } from './error-sentence.ts';
import { parseFlags, where, wholeNumber } from './flags.ts';
import { COMMAND_NAMES, commandHelp, USAGE, version } from './help.ts';
import { runIncidents } from './incidents.ts';
import { kpiPeriod, runKpis } from './kpis.ts';
import { loadConfigFile } from './load-config.ts';
import { didYouMean } from './nearest.ts';
import { loudnessOf, scanVoice } from './progress.ts';
import { runReportCommand } from './report.ts';
import { runBacktestCommand, runReplayCommand } from './saved-report-commands.ts';
import { runScanCommand } from './scan-command.ts';
import { runSilenceCommand } from './silence-command.ts';
import { runSimulate } from './simulate.ts';

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** Runs one CLI command and returns the exit code: 0 ok, 1 a failed scan, 2 a usage or config error. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    // Help before parsing, so `scan --help` explains scan instead of refusing the option.
    const help = command !== undefined ? commandHelp(command) : undefined;
    if (help && (rest.includes('--help') || rest.includes('-h'))) {
      out(help);
      return 0;
    }
    switch (command) {
      case 'demo':
        return await demo(rest);
      case 'scan':
        return await runScanCommand(rest, { write: out, writeError: err });
      case 'replay':
        return await runReplayCommand(rest, { write: out, writeError: err });
      case 'simulate':
        return await simulate(rest);
      case 'backtest':
        return await runBacktestCommand(rest, { write: out, writeError: err });
      case 'incidents':
        return await incidents(rest);
      case 'silence':
        return await runSilenceCommand(rest, { write: out, writeError: err });
      case 'kpis':
        return await kpis(rest);
      case 'report':
        return await runReportCommand(rest, { write: out, writeError: err });
      case 'config':
        return await runConfigCommand(rest, { write: out, writeError: err });
      case '--version':
      case '-V':
      case 'version':
        out(`depot-watch ${await version()}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new ConfigError(unknownCommand(command));
    }
  } catch (error) {
    return reportError(error);
  }
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    dir: { type: 'string', default: '.depot-watch' },
    seed: { type: 'string', default: '7' },
    chargers: { type: 'string', default: '4' },
    depots: { type: 'string', default: '1' },
    verbose: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    webhook: { type: 'boolean', default: false },
  });
  const loudness = loudnessOf(values);
  const seed = wholeNumber(values.seed, '--seed');
  const chargers = wholeNumber(values.chargers, '--chargers');
  const depots = wholeNumber(values.depots, '--depots');
  if (depots < 1 || depots > 10)
    throw new ConfigError(`--depots must be from 1 to 10, got ${depots}`);
  const voice = scanVoice('demo', loudness, 'error');
  try {
    return await runDemo({
      dir: values.dir,
      seed,
      chargers,
      depots,
      quiet: loudness === 'quiet',
      webhook: values.webhook,
      log: voice.log,
      ...(voice.progress ? { progress: voice.progress } : {}),
      write: voice.above(out),
    });
  } finally {
    voice.finish();
  }
}

async function incidents(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: 'string' },
    dir: { type: 'string', default: '.depot-watch' },
    open: { type: 'boolean', default: false },
    incident: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  // Without a config, the demo's folders: `npm start` then `depot-watch incidents` just works.
  const config = values.config
    ? await loadConfigFile(values.config)
    : parseConfig(
        { fleet: [{ chargerId: 'demo', connectors: ['1'] }], archive: 'archive', state: 'state' },
        'the demo folders',
      );
  return runIncidents({
    config,
    baseDir: values.config ? dirname(resolve(values.config)) : resolve(values.dir),
    openOnly: values.open,
    ...(values.incident !== undefined ? { incident: values.incident } : {}),
    json: values.json,
    write: out,
    writeError: err,
  });
}

async function kpis(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      config: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      archive: { type: 'string', multiple: true },
    },
    true,
  );
  // `--archive a b c` as well as `--archive a --archive b`: the folders after the flag.
  if (positionals.length > 0 && !values.archive)
    throw new ConfigError(`kpis takes no "${positionals[0]}"; did you mean --archive <folder>?`);
  const archive = [...(values.archive ?? []), ...positionals];
  const config = values.config ? await loadConfigFile(values.config) : undefined;
  const period = kpiPeriod(values, Date.now(), archive.length > 0);
  // Without a config, the demo's state folder: `npm start`, then `depot-watch kpis`.
  const location = config?.state ?? '.depot-watch/state';
  const baseDir = values.config ? dirname(resolve(values.config)) : process.cwd();
  return runKpis({
    source:
      archive.length > 0
        ? {
            archive,
            thresholds: new ThresholdBook(
              (config?.thresholds ?? {}) as ThresholdsInput,
              config?.overrides ?? [],
            ),
          }
        : { state: stateFrom(location, { baseDir }), location: where(location, baseDir) },
    period,
    json: values.json,
    write: out,
    writeError: err,
  });
}

async function simulate(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    port: { type: 'string', default: '4010' },
    seed: { type: 'string', default: '7' },
    chargers: { type: 'string', default: '4' },
  });
  const port = wholeNumber(values.port, '--port');
  if (port > 65_535) throw new ConfigError(`--port must be 0 to 65535, got ${port}`);
  return runSimulate({
    port,
    seed: wholeNumber(values.seed, '--seed'),
    chargers: wholeNumber(values.chargers, '--chargers'),
    write: out,
  });
}

/** An unknown command, with the one meant when it is a likely typo, or the list of commands. */
function unknownCommand(command: string): string {
  const guess = didYouMean(command, COMMAND_NAMES);
  return `unknown command "${command}"${guess || `; try: ${COMMAND_NAMES.join(', ')}`}`;
}

function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    err(`depot-watch: ${error.message}\n`);
    return 2;
  }
  if (error instanceof CredentialsRefusedError) {
    err(`depot-watch: ${error.message}\n`);
    return 1;
  }
  // A path the person gave (--out, a folder to read), AWS or the network: what to do, not an errno.
  err(`depot-watch: ${errorSentence(error)}\n`);
  if (process.env.DEPOT_WATCH_DEBUG && error instanceof Error) err(`${error.stack}\n`);
  return 1;
}
