import { alertsFrom, archiveFrom, stateFrom } from '../adapters/from-config.ts';
import type { Config } from '../config/config.ts';
import type { AlertSink, ReportArchive, ScanState } from '../scan/ports.ts';
import type { ScanSummary } from '../scan/summary.ts';
import { type ConfiguredScanRuntime, configuredScan } from './configured-scan.ts';

/** What the caller of a scan supplies besides the config; adapters default to the config's. */
export interface ScanRuntime extends Omit<ConfiguredScanRuntime, 'archive' | 'state' | 'alerts'> {
  /** Relative paths in the config are resolved against this. */
  baseDir: string;
  /** Where `stdout` alerts go. */
  write?: (text: string) => void;
  /** Adapters that replace the ones the config names. */
  archive?: ReportArchive;
  state?: ScanState;
  alerts?: AlertSink;
}

/** Builds the adapters a config names (folders, files, S3, SNS) and runs one scan. */
export async function scanFromConfig(config: Config, runtime: ScanRuntime): Promise<ScanSummary> {
  const options = { baseDir: runtime.baseDir, ...(runtime.write ? { write: runtime.write } : {}) };
  const archive = runtime.archive ?? archiveFrom(config.archive, options);
  return configuredScan(config, {
    ...runtime,
    archive,
    state: runtime.state ?? stateFrom(config.state, options),
    alerts: runtime.alerts ?? alertsFrom(config.alerts, archive.location, options),
  });
}
