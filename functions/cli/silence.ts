import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { type Config, ConfigError } from '../config/config.ts';
import { INCIDENT_RULES } from '../config/config-checks.ts';
import { depotsOf } from '../config/depot-scopes.ts';
import {
  readStoredSilences,
  type Silence,
  silenceActive,
  silenceSchema,
} from '../core/incidents/silences.ts';
import { plainText } from '../core/vendor-text.ts';
import type { SilenceStore } from '../scan/ports.ts';
import { didYouMean } from './nearest.ts';

/** What `silence add` asks for. */
export interface NewSilence {
  chargerId: string;
  connectorId?: string;
  rules?: string[];
  /** Epoch ms. */
  until: number;
  reason: string;
  /** Store it even for a charger, connector or rule the config does not know. Default: false. */
  force?: boolean;
}

/** Where `depot-watch silence` works, and what it checks names against. */
export interface SilenceCommand {
  store: SilenceStore;
  /** Where the store is, for people. */
  location: string;
  /**
   * With a config, charger and connector must exist in it: a typo would silence nothing.
   * Without one there is no fleet to check against, so only a forced silence is stored.
   */
  config?: Config;
  now: number;
  write: (text: string) => void;
}

/** Stores a silence from now until `until` and says how to end it early. */
export async function addSilence(command: SilenceCommand, wanted: NewSilence): Promise<number> {
  checkNames(command, wanted);
  if (wanted.until <= command.now) throw new ConfigError('--until must be in the future');
  const parsed = silenceSchema.safeParse({
    id: `sil-${randomBytes(4).toString('hex')}`,
    chargerId: wanted.chargerId,
    ...(wanted.connectorId !== undefined ? { connectorId: wanted.connectorId } : {}),
    ...(wanted.rules?.length ? { rules: wanted.rules } : {}),
    from: new Date(command.now).toISOString(),
    until: new Date(wanted.until).toISOString(),
    reason: wanted.reason,
    createdBy: whoAmI(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`silence ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const silence = parsed.data;
  await command.store.updateSilences((stored) => {
    const { silences, unreadable } = readStoredSilences(stored);
    const recent = silences.filter((s) => Date.parse(s.until) > command.now - RETAIN_EXPIRED_MS);
    return [...unreadable, ...recent, silence];
  });
  command.write(
    `Silenced ${describe(silence)} until ${silence.until}: ${plainText(silence.reason, 200)}\n` +
      `  id ${silence.id}, stored in ${command.location}\n` +
      `  Findings are still archived and join their incidents; notices wait until then.\n` +
      `  End it early: depot-watch silence expire ${silence.id}\n`,
  );
  return 0;
}

/** Lists silences in force (all, with `all`), soonest end first. */
export async function listSilences(
  command: SilenceCommand,
  options: { all: boolean; json: boolean },
): Promise<number> {
  const at = new Date(command.now).toISOString();
  const silences = readStoredSilences(await command.store.loadSilences())
    .silences.filter((s) => options.all || silenceActive(s, at) || Date.parse(s.from) > command.now)
    .sort((a, b) => a.until.localeCompare(b.until));
  if (options.json) {
    for (const s of silences) command.write(`${JSON.stringify(s)}\n`);
    return 0;
  }
  command.write(`${silences.length} silence(s) in ${command.location}\n`);
  for (const s of silences) {
    const state = silenceActive(s, at)
      ? 'ACTIVE '
      : Date.parse(s.from) > command.now
        ? 'FUTURE '
        : 'ENDED  ';
    command.write(
      `${state} ${plainText(s.id ?? '-', 20).padEnd(12)} ${describe(s)} until ${s.until}\n` +
        `         ${plainText(s.reason, 200)}${s.createdBy ? ` (${plainText(s.createdBy, 80)})` : ''}\n`,
    );
  }
  return 0;
}

/** Ends a silence now; notices that waited for it go out with the next scan. */
export async function expireSilence(command: SilenceCommand, id: string): Promise<number> {
  const at = new Date(command.now).toISOString();
  let found: Silence | undefined;
  await command.store.updateSilences((stored) => {
    const { silences, unreadable } = readStoredSilences(stored);
    return [
      ...unreadable,
      ...silences.map((s) => {
        if (s.id !== id) return s;
        found = s;
        return Date.parse(s.until) > command.now ? { ...s, until: at } : s;
      }),
    ];
  });
  if (!found)
    throw new ConfigError(
      `no silence "${plainText(id, 80)}" in ${command.location}; see: depot-watch silence list --all`,
    );
  command.write(
    `Silence ${found.id} on ${describe(found)} ended at ${at}; notices that waited go out with the next scan.\n`,
  );
  return 0;
}

/** Ended silences are kept for a month, so `list --all` can say what was silenced lately. */
const RETAIN_EXPIRED_MS = 30 * 86_400_000;

/**
 * Refuses a silence on a charger, connector or rule the config does not know, naming the likely
 * meant one: it would hold nothing while saying it does. `--force` stores it all the same (a
 * charger being commissioned, a rule newer than this CLI).
 */
function checkNames(command: SilenceCommand, wanted: NewSilence): void {
  if (wanted.force) return;
  for (const rule of wanted.rules ?? [])
    if (!INCIDENT_RULES.includes(rule))
      throw new ConfigError(
        `--rule "${plainText(rule, 80)}" is not a rule id${orForce(rule, INCIDENT_RULES, `known: ${INCIDENT_RULES.join(', ')}; check the id`)}`,
      );
  const chargerId = plainText(wanted.chargerId, 80);
  if (!command.config)
    throw new ConfigError(
      `--state has no fleet to check --charger "${chargerId}" against; give --config <file> instead, or --force to silence it as given`,
    );
  // A silence is site-wide: with several depots, a charger of any of them.
  const fleet = depotsOf(command.config).flatMap((depot) => depot.config.fleet);
  const charger =
    fleet.find(
      (c) =>
        c.chargerId === wanted.chargerId &&
        (wanted.connectorId === undefined || c.connectors.includes(wanted.connectorId)),
    ) ?? fleet.find((c) => c.chargerId === wanted.chargerId);
  if (!charger) {
    const ids = fleet.map((c) => c.chargerId);
    throw new ConfigError(
      `--charger "${chargerId}" is not in the config's fleet${orForce(wanted.chargerId, ids, 'check the id')}`,
    );
  }
  const { connectorId } = wanted;
  if (connectorId !== undefined && !charger.connectors.includes(connectorId))
    throw new ConfigError(
      `charger ${chargerId} has no connector "${plainText(connectorId, 80)}" in the config's fleet${orForce(connectorId, charger.connectors, `it has connectors ${charger.connectors.join(', ')}; check the connector`)}`,
    );
}

/** The end of a refusal: the name likely meant, or what to check; and that --force overrides. */
function orForce(given: string, known: readonly string[], otherwise: string): string {
  const guess = didYouMean(given, known);
  return guess
    ? `${guess} (--force silences it as given)`
    : `; ${otherwise}, or give --force to silence it as given`;
}

function describe(s: Silence): string {
  const where = `${s.chargerId}${s.connectorId !== undefined ? ` connector ${s.connectorId}` : ' (every connector)'}`;
  return plainText(`${where}, ${s.rules ? `rules ${s.rules.join(', ')}` : 'every rule'}`, 300);
}

function whoAmI(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
