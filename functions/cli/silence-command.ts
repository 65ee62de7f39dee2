import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stateFrom } from '../adapters/from-config.ts';
import { ConfigError } from '../config/config.ts';
import { isInstant } from '../core/incidents/silences.ts';
import type { CommandIo } from './command-io.ts';
import { parseDuration } from './duration.ts';
import { parseFlags, where } from './flags.ts';
import { loadConfigFile } from './load-config.ts';
import { didYouMean } from './nearest.ts';
import { addSilence, expireSilence, listSilences, type SilenceCommand } from './silence.ts';

const ACTIONS = ['add', 'list', 'expire'];

/** `depot-watch silence add|list|expire`: silences kept beside the state, set without a deploy. */
export async function runSilenceCommand(args: string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = args;
  // An option where the action goes is named, not mistaken for an unknown action.
  if (action?.startsWith('-') && !ACTIONS.includes(action))
    throw new ConfigError(
      `silence takes add, list or expire before its options, got '${action}'; see depot-watch silence --help`,
    );
  const { values, positionals } = parseFlags(
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
      force: { type: 'boolean', default: false },
    },
    true,
  );
  if (!ACTIONS.includes(action ?? ''))
    throw new ConfigError(
      action === undefined
        ? 'silence takes add, list or expire; see depot-watch silence --help'
        : `silence takes add, list or expire, not "${action}"${didYouMean(action, ACTIONS) || '; see depot-watch silence --help'}`,
    );
  const command = await silenceCommandFor(values, io);
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
        force: values.force,
      });
    }
    case 'list':
      return listSilences(command, { all: values.all, json: values.json });
    default:
      if (positionals.length !== 1) throw new ConfigError('silence expire takes one silence id');
      return expireSilence(command, positionals[0] as string);
  }
}

function instantFlag(value: string, flag: string): number {
  if (!isInstant(value))
    throw new ConfigError(`${flag} takes an ISO time such as 2026-12-01T06:00:00Z, got "${value}"`);
  return Date.parse(value);
}

/**
 * Where the silences are: the config's state, or the state folder or bucket given. Never a
 * guess: a silence stored where no scan reads it holds nothing, and says it does.
 */
async function silenceCommandFor(
  values: { config?: string | undefined; state?: string | undefined },
  io: CommandIo,
): Promise<SilenceCommand> {
  if (values.config && values.state) throw new ConfigError('give --config or --state, not both');
  if (!values.config && !values.state)
    throw new ConfigError(
      "silence needs --config <file> (the depot's config) or --state <folder-or-s3-uri> (its state); for the demo's, --state .depot-watch/state",
    );
  const config = values.config ? await loadConfigFile(values.config) : undefined;
  const baseDir = values.config ? dirname(resolve(values.config)) : process.cwd();
  const location = where(config?.state ?? (values.state as string), baseDir);
  // A config's state may not exist before its first scan; a folder given by hand must.
  if (!config && !location.startsWith('s3://') && !existsSync(location))
    throw new ConfigError(
      `no state at ${location}; check --state (a relative path starts from the current folder)`,
    );
  return {
    store: stateFrom(location, { baseDir }),
    location,
    ...(config ? { config } : {}),
    now: Date.now(),
    write: io.write,
  };
}
