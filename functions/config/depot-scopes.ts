import { encodeKeySegment } from '../core/archive-layout.ts';
import type { ThresholdsInput } from '../core/thresholds.ts';
import type { Config } from './config.ts';

/**
 * One depot as a scan sees it: a config of one fleet, with the depot's hosts, credentials,
 * thresholds and incident settings already laid over the site's.
 */
export interface DepotScope {
  /**
   * The depot's name; undefined for a config of one fleet and no `depots`, whose archive,
   * state and alerts keep the one-depot layout they always had.
   */
  name?: string;
  /** The Secrets Manager secret of this depot's credentials, when the config names one. */
  credentialsSecret?: string;
  config: Config;
}

/** The depots a config watches: its `depots`, or its one fleet as a depot without a name. */
export function depotsOf(config: Config): DepotScope[] {
  if (config.depots.length === 0) return [{ config }];
  return config.depots.map((depot) => ({
    name: depot.name,
    ...(depot.credentialsSecret ? { credentialsSecret: depot.credentialsSecret } : {}),
    config: {
      ...config,
      depots: [],
      fleet: depot.fleet,
      api: depot.api,
      credentials: depot.credentials ?? config.credentials,
      state: depotStateLocation(config.state, depot.name),
      thresholds: overlaid(config.thresholds, depot.thresholds),
      overrides: [...config.overrides, ...depot.overrides],
      incidents: depot.incidents ?? config.incidents,
    },
  }));
}

/**
 * Where a depot keeps its cursors, incident records and fleet record: a `depot=<name>` folder
 * (or prefix) under the config's state, so two depots never share a record even when their
 * charger ids are alike.
 */
export function depotStateLocation(state: string, depot: string): string {
  return `${state.replace(/\/+$/, '')}/depot=${encodeKeySegment(depot)}`;
}

/** A depot's thresholds laid over the site's, rule by rule and field by field. */
function overlaid(site: ThresholdsInput, depot: ThresholdsInput): ThresholdsInput {
  const merged: ThresholdsInput = { ...site };
  for (const [rule, fields] of Object.entries(depot))
    if (fields) merged[rule] = { ...site[rule], ...fields };
  return merged;
}
