import { dirname, resolve } from 'node:path';
import { parseS3Uri } from '../adapters/s3-location.ts';
import { type Config, ConfigError } from '../config/config.ts';
import { depotsOf } from '../config/depot-scopes.ts';
import { type IncidentSettings, IncidentSettingsBook } from '../core/incidents/settings.ts';
import { RULE_IDS } from '../core/rules/registry.ts';
import type { ReportOrigin } from '../core/session-report.ts';
import { ThresholdBook, type ThresholdsInput } from '../core/thresholds.ts';
import { alertEntryProblem, describeAlerts } from '../notifiers/registry.ts';
import { connectorCount } from '../scan/shards.ts';
import { parseFlags } from './flags.ts';
import { loadConfigFile } from './load-config.ts';
import { didYouMean } from './nearest.ts';
import { stateLayoutAt } from './state-layout.ts';
import { type ProbeIo, probeDeployed, probeToken } from './token-probe.ts';
import { whenTold } from './when-told.ts';

/** Where `config check` writes, and what it may fetch and read secrets with. */
export interface ConfigCheckIo extends ProbeIo {
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/**
 * `depot-watch config check --config f [--probe] [--json]`: validates the config as every
 * command does, then prints what it means once resolved: the fleet's size, where archive,
 * state and alerts go, the incident settings, and the thresholds each connector gets after
 * overrides. `--probe` asks the token endpoint for a token. Exit 0 valid, 1 the probe failed,
 * 2 the config is invalid.
 */
export async function runConfigCommand(args: string[], io: ConfigCheckIo): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      config: { type: 'string' },
      probe: { type: 'boolean', default: false },
      'credentials-secret': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  // `check` is the only action, so `config --config f` checks too.
  if (positionals.length > 1 || (positionals[0] ?? 'check') !== 'check')
    throw new ConfigError(
      `config takes check, not "${positionals.join(' ')}"${didYouMean(positionals.join(' '), ['check']) || '; see depot-watch config --help'}`,
    );
  if (!values.config) throw new ConfigError('config check needs --config <file>');
  const config = await loadConfigFile(values.config);
  checkDestinations(config);
  const path = resolve(values.config);
  const baseDir = dirname(path);
  // Credentials are read before anything prints: a missing one is a config error (exit 2).
  const depots = depotsOf(config);
  const deployedSecret = values['credentials-secret'];
  if (deployedSecret !== undefined && (!values.probe || depots.length > 1 || depots[0]?.name))
    throw new ConfigError(
      '--credentials-secret goes with --probe and a config of one fleet; a config of depots probes each with its own credentials',
    );
  const probes = values.probe
    ? await Promise.all(
        depots.map((depot) =>
          deployedSecret === undefined
            ? probeToken(depot, io.fetch ?? fetch)
            : probeDeployed(depot, deployedSecret, io),
        ),
      )
    : undefined;
  const connectors = depots.flatMap(({ name, config: own }) =>
    own.fleet.flatMap(({ chargerId, connectors }) =>
      connectors.map((connectorId) => ({
        ...(name ? { depot: name } : {}),
        chargerId,
        connectorId,
      })),
    ),
  );
  const books = new Map(
    depots.map((d) => [
      d.name,
      {
        thresholds: new ThresholdBook(d.config.thresholds as ThresholdsInput, d.config.overrides),
        incidents: new IncidentSettingsBook(d.config.incidents, d.config.overrides),
      },
    ]),
  );
  const bookOf = (depot: string | undefined) =>
    books.get(depot) as NonNullable<ReturnType<typeof books.get>>;
  const where = (location: string) =>
    location.startsWith('s3://') ? location : resolve(baseDir, location);
  // In words, never the entries themselves: an entry may hold a key written in the file.
  const alerts = describeAlerts(config.alerts, baseDir);
  const several = config.depots.length > 0;
  const layouts = await Promise.all(
    depots.map(async ({ name, config: own }) => ({
      name,
      layout: await stateLayoutAt(own.state, baseDir, values.probe === true),
    })),
  );
  const chargers = depots.reduce((n, d) => n + d.config.fleet.length, 0);
  if (values.json) {
    const document = {
      config: path,
      chargers,
      connectors: connectors.length,
      ...(several
        ? {
            depots: depots.map(({ name, config: own }) => ({
              name,
              chargers: own.fleet.length,
              connectors: connectorCount(own.fleet),
              api: own.api,
            })),
          }
        : {}),
      archive: where(config.archive),
      state: where(config.state),
      stateLayouts: layouts.flatMap(({ name, layout }) =>
        layout ? [{ ...(name ? { depot: name } : {}), ...layout }] : [],
      ),
      alerts,
      effective: connectors.map((origin) => ({
        ...origin,
        thresholds: bookOf(origin.depot).thresholds.for(origin),
        incidents: bookOf(origin.depot).incidents.for(origin),
      })),
      ...(probes ? (several ? { probes } : { probe: probes[0] }) : {}),
    };
    io.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    const site = new ThresholdBook(config.thresholds as ThresholdsInput, config.overrides);
    const told = whenTold(config.incidents);
    const lines = [
      `Config ${path} is valid.`,
      ...(several
        ? [
            `Depots: ${depots.length}, ${chargers} charger(s), ${connectors.length} connector(s)`,
            ...depots.map(
              ({ name, config: own }) =>
                `  ${name}: ${own.fleet.length} charger(s), ${connectorCount(own.fleet)} connector(s); tokens from ${own.api.tokenUrl}, reports from ${own.api.baseUrl}`,
            ),
          ]
        : [
            `Fleet: ${chargers} charger(s), ${connectors.length} connector(s)`,
            `API: tokens from ${config.api.tokenUrl}, reports from ${config.api.baseUrl}`,
          ]),
      `Archive: ${where(config.archive)}`,
      `State: ${where(config.state)}`,
      ...layouts.flatMap(({ name, layout }) =>
        layout ? [`  ${name ? `${name}: ` : ''}${layout.says}`] : [],
      ),
      // URIs on one line, as ever; channels, which say more, one a line.
      ...(config.alerts.every((entry) => typeof entry === 'string')
        ? [`Alerts: ${alerts.join(', ')}`]
        : ['Alerts:', ...alerts.map((line) => `  ${line}`)]),
      `Incidents: ${incidentsInShort(config.incidents)}`,
      'When a finding is told, by rule and level:',
      ...told.lines,
      `Silences: ${config.silences.length} in the config, ${config.maintenanceWindows.length} maintenance window(s)`,
      'Thresholds, site-wide:',
      ...siteLines(site.for({ chargerId: '', connectorId: '' })),
      ...depots.flatMap(({ name, config: own }) => {
        const book = bookOf(name);
        const label = name === undefined ? '' : ` at ${name}`;
        return [
          ...differences(own, `Thresholds${label}`, (o) => book.thresholds.for(o), site),
          ...differences(own, `Incident settings${label}`, (o) => book.incidents.for(o)),
        ];
      }),
    ];
    io.write(`${lines.join('\n')}\n`);
    for (const warning of told.warnings) io.writeError(`depot-watch: warning: ${warning}\n`);
    probes?.forEach((probe, index) => {
      const at = several ? ` (${depots[index]?.name})` : '';
      if (probe.ok)
        io.write(
          probe.validForSeconds !== undefined
            ? `token endpoint answered${at}: token valid for ${probe.validForSeconds} s\n`
            : `token endpoint answered${at}: token given, its lifetime not stated\n`,
        );
    });
  }
  const failed = (probes ?? []).flatMap((probe, index) =>
    probe.ok ? [] : [`${several ? `${depots[index]?.name}: ` : ''}${probe.reason}`],
  );
  for (const reason of failed) io.writeError(`depot-watch: probe failed: ${reason}\n`);
  return failed.length > 0 ? 1 : 0;
}

/**
 * What the schema leaves to the adapters, checked as a scan would check it at start: an
 * `s3://` URI that names no bucket, an alert destination that is no kind of destination.
 */
function checkDestinations(config: Config): void {
  for (const field of ['archive', 'state'] as const)
    if (config[field].startsWith('s3://')) parseS3Uri(config[field], field);
  config.alerts.forEach((entry, index) => {
    const problem = alertEntryProblem(entry, index);
    if (problem) throw new ConfigError(problem);
  });
}

/** The incident settings in one line: opening, reminders, escalation, resolving, silence. */
function incidentsInShort(s: IncidentSettings): string {
  const pending = (['info', 'warning', 'critical'] as const)
    .map((level) => `${level} ${s.pending[level].findings} of ${s.pending[level].sessions}`)
    .join(', ');
  const rules = Object.keys(s.rules);
  return [
    `open after findings in sessions (${pending})`,
    s.repeatHours > 0 ? `remind every ${s.repeatHours} h` : 'no reminders',
    s.escalate.occurrences > 0
      ? `escalate at occurrence ${s.escalate.occurrences} within ${s.escalate.withinDays} days`
      : 'no escalation',
    `resolve after ${s.resolveAfterCleanSessions} clean sessions`,
    s.silentAfterHours > 0 ? `silent after ${s.silentAfterHours} h` : 'silence not watched',
    `attribution ${s.attribution.enabled ? 'on' : 'off'}, drift ${s.drift.enabled ? 'on' : 'off'}`,
    ...(rules.length > 0 ? [`own settings for ${rules.join(', ')}`] : []),
  ].join('; ');
}

/** One line per rule: its field values, nested fields as `a.b`. */
function siteLines(thresholds: Record<string, unknown>): string[] {
  const width = Math.max(...RULE_IDS.map((r) => r.length));
  return RULE_IDS.map(
    (rule) =>
      `  ${rule.padEnd(width)}  ${flatten(thresholds[rule])
        .map(([field, value]) => `${field} ${show(value)}`)
        .join(', ')}`,
  );
}

/**
 * What differs from the site-wide values, per charger when all its connectors differ alike,
 * else per connector; nothing when no override touches this kind of setting.
 */
function differences(
  config: Config,
  title: string,
  effective: (origin: ReportOrigin) => unknown,
  siteBook: { for: (origin: ReportOrigin) => unknown } = { for: effective },
): string[] {
  const site = new Map(flatten(siteBook.for({ chargerId: '', connectorId: '' })));
  const diff = (origin: ReportOrigin) =>
    flatten(effective(origin))
      .filter(([path, value]) => JSON.stringify(site.get(path)) !== JSON.stringify(value))
      .map(([path, value]) => `${path} ${show(value)} (site-wide ${show(site.get(path))})`)
      .join(', ');
  const lines: [string, string][] = [];
  for (const { chargerId, connectors } of config.fleet) {
    const each = connectors.map((connectorId) => [connectorId, diff({ chargerId, connectorId })]);
    const first = each[0]?.[1] ?? '';
    if (each.length > 1 && first !== '' && each.every(([, d]) => d === first))
      lines.push([`${chargerId} (all connectors)`, first]);
    else for (const [connectorId, d] of each) if (d) lines.push([`${chargerId}/${connectorId}`, d]);
  }
  if (lines.length === 0) return [];
  const width = Math.max(...lines.map(([where]) => where.length));
  return [
    `${title} that differ:`,
    ...lines.map(([where, what]) => `  ${where.padEnd(width)}  ${what}`),
  ];
}

/** Leaf values of a nested object with their dotted paths (`rules.soc-shortfall.repeatHours`). */
function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return prefix ? [[prefix, value]] : [];
  return Object.entries(value).flatMap(([key, inner]) =>
    flatten(inner, prefix ? `${prefix}.${key}` : key),
  );
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value);
}
