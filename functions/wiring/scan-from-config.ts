import { archiveFrom, stateFrom } from '../adapters/from-config.ts';
import type { Config } from '../config/config.ts';
import { type ClientCredentials, depotCredentialsFrom } from '../config/credentials.ts';
import type { DepotScope } from '../config/depot-scopes.ts';
import { alertsFrom } from '../notifiers/from-config.ts';
import type { AlertSink, ReportArchive, StateStore } from '../scan/ports.ts';
import type { ScanSummary } from '../scan/summary.ts';
import type { ConfiguredScanRuntime } from './configured-scan.ts';
import { type DepotAdapters, scanDepots } from './depot-scans.ts';

/** What the caller of a scan supplies besides the config; adapters default to the config's. */
export interface ScanRuntime
  extends Omit<ConfiguredScanRuntime, 'archive' | 'state' | 'alerts' | 'credentials'> {
  /** Relative paths in the config are resolved against this. */
  baseDir: string;
  /**
   * The client credentials of every depot. Default: each depot's own, from the environment
   * or the config file (see `depotCredentialsFrom`).
   */
  credentials?: ClientCredentials;
  /** Where `stdout` alerts go. */
  write?: (text: string) => void;
  /** Adapters that replace the ones the config names (a config of one fleet only). */
  archive?: ReportArchive;
  state?: StateStore;
  alerts?: AlertSink;
  /** Adapters that replace the ones the config names, per depot (a dry run). */
  depotAdapters?: (depot: DepotScope) => DepotAdapters;
}

/** Builds the adapters a config names (folders, files, S3, SNS) and runs one scan. */
export async function scanFromConfig(config: Config, runtime: ScanRuntime): Promise<ScanSummary> {
  const options = { baseDir: runtime.baseDir, ...(runtime.write ? { write: runtime.write } : {}) };
  const { credentials } = runtime;
  let alerts: AlertSink | undefined = runtime.alerts;
  return scanDepots(config, {
    ...runtime,
    credentials: (depot) => credentials ?? depotCredentialsFrom(depot),
    adapters: (depot) => {
      if (runtime.depotAdapters) return runtime.depotAdapters(depot);
      const archive =
        runtime.archive ?? archiveFrom(config.archive, { ...options, ...depotOption(depot.name) });
      // One sink for every depot (the archive location is the same): a .jsonl file then
      // has one writer.
      alerts ??= alertsFrom(config.alerts, archive.location, options);
      return { archive, state: runtime.state ?? stateFrom(depot.config.state, options), alerts };
    },
    rootState: runtime.state ?? stateFrom(config.state, options),
  });
}

function depotOption(name: string | undefined): { depot?: string } {
  return name === undefined ? {} : { depot: name };
}
