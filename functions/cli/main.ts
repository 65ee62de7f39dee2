import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dryRunAdapters } from '../adapters/dry-run.ts';
import { stateFrom } from '../adapters/from-config.ts';
import { ConfigError, parseConfig } from '../config/config.ts';
import { credentialsFrom } from '../config/credentials.ts';
import type { DepotScope } from '../config/depot-scopes.ts';
import { IncidentSettingsBook } from '../core/incidents/settings.ts';
import { isInstant, silencer } from '../core/incidents/silences.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import { CredentialsRefusedError } from '../depot/errors.ts';
import { runFailed, type ScanSummary } from '../scan/summary.ts';
import { scanFromConfig } from '../wiring/scan-from-config.ts';
import { runBacktest } from './backtest.ts';
import { runConfigCommand } from './config-check.ts';
import { runDemo } from './demo.ts';
import { parseDuration } from './duration.ts';
import { COMMAND_NAMES, commandHelp, USAGE, version } from './help.ts';
import { runIncidents } from './incidents.ts';
import { kpiPeriod, runKpis } from './kpis.ts';
import { loadConfigFile, pathErrorSentence } from './load-config.ts';
import { formatScanSummary } from './print-summary.ts';
import { type Loudness, loudnessOf, scanVoice } from './progress.ts';
import { runReplay } from './replay.ts';
import { runReportCommand } from './report.ts';
import { addSilence, expireSilence, listSilences } from './silence.ts';
import { runSimulate } from './simulate.ts';
import { usageError } from './usage-error.ts';
import { type WorkTracker, workVoice } from './work-progress.ts';

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
        return await scan(rest);
      case 'replay':
        return await replay(rest);
      case 'simulate':
        return await simulate(rest);
      case 'backtest':
        return await backtestCommand(rest);
      case 'incidents':
        return await incidents(rest);
      case 'silence':
        return await silence(rest);
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
        throw new ConfigError(`unknown command "${command}"; try: ${COMMAND_NAMES.join(', ')}`);
    }
  } catch (error) {
    return reportError(error);
  }
}

async function demo(args: string[]): Promise<number> {
  const { values } = parse(args, {
    dir: { type: 'string', default: '.depot-watch' },
    seed: { type: 'string', default: '7' },
    chargers: { type: 'string', default: '4' },
    depots: { type: 'string', default: '1' },
    verbose: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  });
  const loudness = loudnessOf(values);
  const seed = integer(values.seed, '--seed');
  const chargers = integer(values.chargers, '--chargers');
  const depots = integer(values.depots, '--depots');
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
      log: voice.log,
      ...(voice.progress ? { progress: voice.progress } : {}),
      write: voice.above(out),
    });
  } finally {
    voice.finish();
  }
}

async function scan(args: string[]): Promise<number> {
  const { values } = parse(args, {
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
      ...(values['dry-run']
        ? {
            depotAdapters: (depot: DepotScope) =>
              dryRunAdapters(
                {
                  state: stateFrom(depot.config.state, { baseDir }),
                  archiveLocation: where(config.archive, baseDir),
                },
                voice.above(out),
              ),
          }
        : {}),
    });
    voice.finish(summary.totals.alerted);
  } finally {
    voice.finish();
  }
  // Quiet: the alerts (already out) and the exit code say it all.
  if (loudness === 'quiet') return runFailed(summary) ? 1 : 0;
  if (values['dry-run'])
    out(
      'Dry run: nothing archived, no state written, no notice sent; the counts are what a scan would have done.\n',
    );
  out(formatScanSummary(summary, where(config.archive, baseDir)));
  out(
    `Alerts: ${config.alerts.map((a) => (a.endsWith('.jsonl') ? where(a, baseDir) : a)).join(', ')}\n`,
  );
  return runFailed(summary) ? 1 : 0;
}

async function replay(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
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
  return withProgress('replay', loudness, (io) =>
    runReplay({ paths: positionals, thresholds, json: values.json, quiet: values.quiet, ...io }),
  );
}

async function backtestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      config: { type: 'string' },
      every: { type: 'string', default: '15' },
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
  const everyMinutes = integer(values.every, '--every');
  if (everyMinutes < 1) throw new ConfigError('--every must be at least 1 (minutes)');
  return withProgress('backtest', loudness, (io) =>
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
      ...io,
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
  run: (io: {
    progress?: WorkTracker;
    write: (text: string) => void;
    writeError: (text: string) => void;
  }) => Promise<number>,
): Promise<number> {
  const voice = workVoice(label, loudness);
  try {
    return await run({
      ...(voice.progress ? { progress: voice.progress } : {}),
      write: voice.above(out),
      writeError: voice.above(err),
    });
  } finally {
    voice.finish();
  }
}

async function incidents(args: string[]): Promise<number> {
  const { values } = parse(args, {
    config: { type: 'string' },
    dir: { type: 'string', default: '.depot-watch' },
    open: { type: 'boolean', default: false },
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
    json: values.json,
    write: out,
    writeError: err,
  });
}

async function kpis(args: string[]): Promise<number> {
  const { values, positionals } = parse(
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

async function silence(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  // An option where the action goes is named, not mistaken for an unknown action.
  if (action?.startsWith('-') && !['add', 'list', 'expire'].includes(action))
    throw new ConfigError(
      `silence takes add, list or expire before its options, got '${action}'; see depot-watch silence --help`,
    );
  const { values, positionals } = parse(
    rest,
    {
      config: { type: 'string' },
      state: { type: 'string' },
      charger: { type: 'string' },
      connector: { type: 'string' },
      rule: { type: 'string', multiple: true },
      for: { type: 'string' },
      until: { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (values.config && values.state) throw new ConfigError('give --config or --state, not both');
  const config = values.config ? await loadConfigFile(values.config) : undefined;
  // Without either, the demo's state folder: `npm start`, then `depot-watch silence add …`.
  const location = config?.state ?? values.state ?? '.depot-watch/state';
  const baseDir = values.config ? dirname(resolve(values.config)) : process.cwd();
  const command = {
    store: stateFrom(location, { baseDir }),
    location: location.startsWith('s3://') ? location : resolve(baseDir, location),
    ...(config ? { config } : {}),
    now: Date.now(),
    write: out,
  };
  switch (action) {
    case 'add': {
      if (!values.charger) throw new ConfigError('silence add needs --charger');
      if (!values.reason?.trim()) throw new ConfigError('silence add needs --reason "why"');
      if ((values.for === undefined) === (values.until === undefined))
        throw new ConfigError('silence add needs one of --for <duration> or --until <ISO time>');
      const until =
        values.for !== undefined
          ? command.now + parseDuration(values.for, '--for')
          : instantFlag(values.until as string, '--until');
      return addSilence(command, {
        chargerId: values.charger,
        ...(values.connector !== undefined ? { connectorId: values.connector } : {}),
        ...(values.rule ? { rules: values.rule } : {}),
        until,
        reason: values.reason,
      });
    }
    case 'list':
      return listSilences(command, { all: values.all, json: values.json });
    case 'expire':
      if (positionals.length !== 1) throw new ConfigError('silence expire takes one silence id');
      return expireSilence(command, positionals[0] as string);
    default:
      throw new ConfigError('silence takes add, list or expire; see depot-watch help');
  }
}

function instantFlag(value: string, flag: string): number {
  if (!isInstant(value))
    throw new ConfigError(`${flag} takes an ISO time such as 2026-12-01T06:00:00Z, got "${value}"`);
  return Date.parse(value);
}

async function simulate(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string', default: '4010' },
    seed: { type: 'string', default: '7' },
    chargers: { type: 'string', default: '4' },
  });
  const port = integer(values.port, '--port');
  if (port > 65_535) throw new ConfigError(`--port must be 0 to 65535, got ${port}`);
  return runSimulate({
    port,
    seed: integer(values.seed, '--seed'),
    chargers: integer(values.chargers, '--chargers'),
    write: out,
  });
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<T extends Options>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw usageError(error);
  }
}

/** A folder or file the config names, as a person finds it: absolute, or the `s3://` URI. */
function where(location: string, baseDir: string): string {
  return location.startsWith('s3://') ? location : resolve(baseDir, location);
}

function integer(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${flag} must be a whole number, got "${value}"`);
  return n;
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
  // A path the person gave (--out, a folder to read) is named with what to do, not an errno.
  const message =
    pathErrorSentence(error) ?? (error instanceof Error ? error.message : String(error));
  err(`depot-watch: ${message}\n`);
  if (process.env.DEPOT_WATCH_DEBUG && error instanceof Error) err(`${error.stack}\n`);
  return 1;
}
