import { CONNECTOR_SILENT } from '../core/incidents/connector-incidents.ts';
import { RULE_IDS } from '../core/rules/registry.ts';
import { checkThresholds, mergeThresholds, type ThresholdsInput } from '../core/thresholds.ts';

/** Every rule id an incident can have: the rules' own, and the connector going silent. */
export const INCIDENT_RULES = [...RULE_IDS, CONNECTOR_SILENT];

/** A problem found across sections, as zod's refinement context takes it. */
export interface ConfigProblem {
  code: 'custom';
  path: PropertyKey[];
  message: string;
  input?: unknown;
}

type Fleet = readonly { chargerId: string; connectors: readonly string[] }[];

/** An entry that names a charger and maybe a connector (override, silence, window). */
type Targeting = { chargerId?: string | undefined; connectorId?: string | undefined };

/** Config entries that name a charger and maybe a connector, by section. */
type Targeted = Record<string, readonly Targeting[]>;

/** What one fleet's checks read: the one-depot config, or one depot of several. */
interface FleetSections {
  fleet: Fleet;
  thresholds: unknown;
  overrides: readonly (Targeting & { thresholds: unknown })[];
  incidents?: { rules: Record<string, unknown> } | undefined;
}

/** What the checks across sections read of a parsed config. */
export interface CheckedConfig extends FleetSections {
  incidents: { rules: Record<string, unknown> };
  depots: readonly (FleetSections & { name: string })[];
  silences: readonly (Targeting & { rules?: readonly string[] | undefined })[];
  maintenanceWindows: readonly (Targeting & { rules?: readonly string[] | undefined })[];
}

/**
 * Checks that need the whole config: one fleet or several depots, fleet targets, rule ids,
 * merged threshold layers. `fleet: 'optional'` is for the commands that read saved reports.
 */
export function configProblems(
  config: CheckedConfig,
  fleet: 'required' | 'optional',
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const several = config.depots.length > 0;
  if (several && config.fleet.length > 0)
    problems.push({
      code: 'custom',
      path: ['fleet'],
      message:
        'list either one fleet or depots, each with its own fleet, not both; move these chargers into a depot',
    });
  else if (!several && config.fleet.length === 0 && fleet === 'required')
    problems.push({
      code: 'custom',
      path: ['fleet'],
      message: 'list at least one charger (or several depots under "depots")',
    });
  const sitewide = {
    silences: config.silences,
    maintenanceWindows: config.maintenanceWindows,
  };
  if (several) {
    problems.push(...depotNameProblems(config.depots));
    // Site-wide entries may name a charger of any depot.
    const everyDepot = unionOf(config.depots.map((d) => d.fleet));
    problems.push(...fleetProblems(everyDepot, { overrides: config.overrides, ...sitewide }));
    config.depots.forEach((depot, index) => {
      const at = (problem: ConfigProblem) => ({
        ...problem,
        path: ['depots', index, ...problem.path],
      });
      problems.push(...fleetProblems(depot.fleet, { overrides: depot.overrides }).map(at));
      problems.push(...incidentRuleProblems(depot.incidents).map(at));
      problems.push(
        ...thresholdProblems([config.thresholds, depot.thresholds], depot.overrides).map(at),
      );
    });
  } else if (config.fleet.length > 0) {
    // Without a fleet (replay, backtest) there is nothing to hold the targets against.
    problems.push(...fleetProblems(config.fleet, { overrides: config.overrides, ...sitewide }));
  }
  for (const section of ['silences', 'maintenanceWindows'] as const)
    config[section].forEach((entry, index) => {
      for (const rule of entry.rules ?? [])
        if (!INCIDENT_RULES.includes(rule))
          problems.push({
            code: 'custom',
            path: [section, index, 'rules'],
            message: `no rule has the id "${rule}"; known: ${INCIDENT_RULES.join(', ')}`,
            input: rule,
          });
    });
  problems.push(...incidentRuleProblems(config.incidents));
  problems.push(...thresholdProblems([config.thresholds], config.overrides));
  return problems;
}

function incidentRuleProblems(incidents: FleetSections['incidents']): ConfigProblem[] {
  return Object.keys(incidents?.rules ?? {})
    .filter((rule) => !INCIDENT_RULES.includes(rule))
    .map((rule) => ({
      code: 'custom',
      path: ['incidents', 'rules', rule],
      message: `no rule has this id; known: ${INCIDENT_RULES.join(', ')}`,
      input: rule,
    }));
}

/**
 * Each layer must still make sense once merged: a critical level below a warning level, say.
 * The merged base is checked when its last layer says something (a depot's own thresholds),
 * so the site's are reported once, not again for every depot.
 */
function thresholdProblems(
  layers: readonly unknown[],
  overrides: FleetSections['overrides'],
): ConfigProblem[] {
  const base = layers as ThresholdsInput[];
  const last = base.at(-1);
  const problems: ConfigProblem[] = [];
  if (base.length === 1 || Object.keys(last ?? {}).length > 0)
    for (const problem of checkThresholds(mergeThresholds(...base)))
      problems.push({
        code: 'custom',
        path: ['thresholds', ...problem.path],
        message: problem.message,
      });
  overrides.forEach((override, index) => {
    const merged = mergeThresholds(...base, override.thresholds as ThresholdsInput);
    for (const problem of checkThresholds(merged))
      problems.push({
        code: 'custom',
        path: ['overrides', index, 'thresholds', ...problem.path],
        message: problem.message,
      });
  });
  return problems;
}

/**
 * Depot names name archive partitions, state folders, metric dimensions and environment
 * variables, so two depots may not share one, even in another case.
 */
function depotNameProblems(depots: CheckedConfig['depots']): ConfigProblem[] {
  const seen = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  depots.forEach(({ name }, index) => {
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined)
      problems.push({
        code: 'custom',
        path: ['depots', index, 'name'],
        message: `depot "${name}" is listed twice (also depots.${earlier}); give each depot its own name`,
        input: name,
      });
    else seen.set(name.toLowerCase(), index);
  });
  return problems;
}

/** Every charger of several fleets, with every connector any of them lists for it. */
function unionOf(fleets: readonly Fleet[]): Fleet {
  const connectors = new Map<string, Set<string>>();
  for (const fleet of fleets)
    for (const charger of fleet) {
      const known = connectors.get(charger.chargerId) ?? new Set<string>();
      for (const connector of charger.connectors) known.add(connector);
      connectors.set(charger.chargerId, known);
    }
  return [...connectors].map(([chargerId, ids]) => ({ chargerId, connectors: [...ids] }));
}

/**
 * What a fleet list gets wrong silently: a charger or connector listed twice (every alert
 * doubles), an override or silence naming a charger or connector the fleet does not have
 * (it would apply to nothing).
 */
function fleetProblems(fleet: Fleet, targeted: Targeted): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const chargers = new Map<string, Set<string>>();
  const firstIndex = new Map<string, number>();
  fleet.forEach(({ chargerId, connectors }, index) => {
    const earlier = firstIndex.get(chargerId);
    if (earlier !== undefined) {
      problems.push({
        code: 'custom',
        path: ['fleet', index, 'chargerId'],
        message: `charger "${chargerId}" is listed twice (also fleet.${earlier}); list it once with all its connectors`,
        input: chargerId,
      });
      return;
    }
    firstIndex.set(chargerId, index);
    const seen = new Set<string>();
    connectors.forEach((connectorId, c) => {
      if (seen.has(connectorId))
        problems.push({
          code: 'custom',
          path: ['fleet', index, 'connectors', c],
          message: `connector "${connectorId}" is listed twice for charger "${chargerId}"`,
          input: connectorId,
        });
      seen.add(connectorId);
    });
    chargers.set(chargerId, seen);
  });
  for (const [section, entries] of Object.entries(targeted))
    entries.forEach(({ chargerId, connectorId }, index) => {
      if (chargerId === undefined) return; // depot-wide
      const connectors = chargers.get(chargerId);
      const what = section === 'overrides' ? 'override' : 'entry';
      if (!connectors)
        problems.push({
          code: 'custom',
          path: [section, index, 'chargerId'],
          message: `charger "${chargerId}" is not in the fleet, so this ${what} would apply to nothing`,
          input: chargerId,
        });
      else if (connectorId !== undefined && !connectors.has(connectorId))
        problems.push({
          code: 'custom',
          path: [section, index, 'connectorId'],
          message: `charger "${chargerId}" has no connector "${connectorId}" in the fleet, so this ${what} would apply to nothing`,
          input: connectorId,
        });
    });
  return problems;
}
