import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../config/config.ts';
import { credentialsFrom } from '../config/credentials.ts';
import { IncidentSettingsBook } from '../core/incidents/settings.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import { CredentialsRefusedError } from '../depot/errors.ts';
import { scanFromConfig } from '../wiring/scan-from-config.ts';
import { runBacktest } from './backtest.ts';
import { consoleLog } from './console-log.ts';
import { runDemo } from './demo.ts';
import { parseDuration } from './duration.ts';
import { runIncidents } from './incidents.ts';
import { loadConfigFile } from './load-config.ts';
import { formatScanSummary } from './print-summary.ts';
import { runReplay } from './replay.ts';
import { runSimulate } from './simulate.ts';

const USAGE = `Usage: depot-watch <command> [options]

Commands:
  demo [--dir D] [--seed N] [--chargers N]   simulator → scan → archive → alerts, all local
  scan --config <file> [--deadline 10m] [--verbose]
                                             one scan with the adapters the config names
  replay <file-or-folder...> [--config <file>] [--json]
                                             run the rules over saved reports; publishes nothing
  backtest <file-or-folder...> [--config <file>] [--every <minutes>] [--json]
                                             replay saved reports as scheduled scans; print
                                             every notice the config would have sent
  incidents [--config <file>] [--open] [--json]
                                             incidents open and resolved, from the state
                                             and the archive's incident history
  simulate [--port N] [--seed N] [--chargers N]
                                             serve the simulated DepotFinity API

Credentials come from DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET.
`;

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** Runs one CLI command and returns the exit code: 0 ok, 1 a failed scan, 2 a usage or config error. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
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
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new ConfigError(
          `unknown command "${command}"; try: demo, scan, replay, backtest, incidents, simulate`,
        );
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
    verbose: { type: 'boolean', default: false },
  });
  return runDemo({
    dir: values.dir,
    seed: integer(values.seed, '--seed'),
    chargers: integer(values.chargers, '--chargers'),
    verbose: values.verbose,
    write: out,
  });
}

async function scan(args: string[]): Promise<number> {
  const { values } = parse(args, {
    config: { type: 'string' },
    deadline: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (!values.config) throw new ConfigError('scan needs --config <file>');
  const deadline =
    values.deadline !== undefined
      ? Date.now() + parseDuration(values.deadline, '--deadline')
      : undefined;
  const config = await loadConfigFile(values.config);
  const summary = await scanFromConfig(config, {
    credentials: credentialsFrom(config),
    ...(deadline !== undefined ? { deadline } : {}),
    log: consoleLog(values.verbose ? 'info' : 'warn'),
    baseDir: dirname(resolve(values.config)),
  });
  out(formatScanSummary(summary, config.archive));
  return summary.failed.length > 0 ? 1 : 0;
}

async function replay(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { config: { type: 'string' }, json: { type: 'boolean', default: false } },
    true,
  );
  if (positionals.length === 0) throw new ConfigError('replay needs at least one file or folder');
  const config = values.config ? await loadConfigFile(values.config) : undefined;
  const thresholds = new ThresholdBook(
    (config?.thresholds ?? {}) as ThresholdsInput,
    config?.overrides ?? [],
  );
  return runReplay({
    paths: positionals,
    thresholds,
    json: values.json,
    write: out,
    writeError: err,
  });
}

async function backtestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      config: { type: 'string' },
      every: { type: 'string', default: '15' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length === 0) throw new ConfigError('backtest needs at least one file or folder');
  const config = values.config ? await loadConfigFile(values.config) : undefined;
  const everyMinutes = integer(values.every, '--every');
  if (everyMinutes < 1) throw new ConfigError('--every must be at least 1 (minutes)');
  return runBacktest({
    paths: positionals,
    thresholds: new ThresholdBook(
      (config?.thresholds ?? {}) as ThresholdsInput,
      config?.overrides ?? [],
    ),
    incidents: new IncidentSettingsBook(config?.incidents, config?.overrides ?? []),
    everyMinutes,
    json: values.json,
    write: out,
    writeError: err,
  });
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
  });
}

async function simulate(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string', default: '4010' },
    seed: { type: 'string', default: '7' },
    chargers: { type: 'string', default: '4' },
  });
  return runSimulate({
    port: integer(values.port, '--port'),
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
    throw new ConfigError((error as Error).message);
  }
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
  const message = error instanceof Error ? error.message : String(error);
  err(`depot-watch: ${message}\n`);
  if (process.env.DEPOT_WATCH_DEBUG && error instanceof Error) err(`${error.stack}\n`);
  return 1;
}
