import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import type { ClientCredentials } from '../config/credentials.ts';
import { type DepotScope, depotsOf } from '../config/depot-scopes.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { SilencedAt } from '../core/incidents/notices.ts';
import type { AlertSink, Log, ReportArchive, ScanProgress, StateStore } from '../scan/ports.ts';
import { connectorCount } from '../scan/shards.ts';
import { type ConnectorResult, type ScanSummary, totalsOf } from '../scan/summary.ts';
import { type ConfiguredScanRuntime, configuredScan, silencesOf } from './configured-scan.ts';

/** The adapters of one depot: its archive partition, its state folder, the alert sinks. */
export interface DepotAdapters {
  archive: ReportArchive;
  state: StateStore;
  alerts: AlertSink;
}

/** What a scan of every depot needs besides the config. */
export interface DepotScanRuntime
  extends Omit<ConfiguredScanRuntime, 'credentials' | 'archive' | 'state' | 'alerts' | 'runId'> {
  /** A depot's credentials; a failure is that depot's alone (its incident), never the run's. */
  credentials(depot: DepotScope): ClientCredentials | Promise<ClientCredentials>;
  /** A depot's adapters. */
  adapters(depot: DepotScope): DepotAdapters;
  /**
   * The state's root, whatever the depot: where silences stored by `depot-watch silence add`
   * are read, once for every depot, and where the shards of a fanned-out run keep their parts
   * (`runs/`, which the stack expires after a few days).
   */
  rootState: StateStore;
}

/**
 * Scans every depot of a config as one run: one scan per depot, side by side, each with its own
 * API hosts, credentials, request limit, state folder and archive partition, and its notices
 * stamped with its name. A depot that cannot be read fails alone. A config of one fleet is one
 * scan exactly as before.
 */
export async function scanDepots(config: Config, runtime: DepotScanRuntime): Promise<ScanSummary> {
  const depots = depotsOf(config);
  const [only] = depots;
  if (only !== undefined && only.name === undefined) return scanOne(only, runtime);

  const runId = randomUUID();
  const silenced = await runSilences(config, runtime);
  runtime.progress?.started(depots.reduce((n, d) => n + connectorCount(d.config.fleet), 0));
  const summaries = await Promise.all(
    depots.map(async (depot) => {
      const name = depot.name as string;
      // The depots share the invocation: its connectors in flight (scan.concurrency) and its
      // memory are shared out between them, so pages in flight, and the page size each may
      // reach, stay as for one fleet. Each depot's request limit still adapts on its own API.
      const { scan } = depot.config;
      const concurrency = Math.max(1, Math.round(scan.concurrency / depots.length));
      const summary = await scanOne(
        { ...depot, config: { ...depot.config, scan: { ...scan, concurrency } } },
        {
          ...runtime,
          runId,
          silenced,
          memoryMb: ((runtime.memoryMb ?? 1024) * concurrency) / scan.concurrency,
          ...(runtime.progress ? { progress: withoutStart(runtime.progress) } : {}),
        },
      );
      return { name, summary };
    }),
  );
  return merged(runId, summaries);
}

/** What silences a run of several depots: the config's, and those stored at the state's root. */
export async function runSilences(
  config: Config,
  runtime: Pick<DepotScanRuntime, 'silenced' | 'rootState' | 'log'>,
): Promise<SilencedAt> {
  return runtime.silenced ?? (await silencesOf(config, runtime.rootState, runtime.log));
}

/** One depot's scan with its credentials and adapters. */
async function scanOne(
  depot: DepotScope,
  runtime: DepotScanRuntime & { runId?: string },
): Promise<ScanSummary> {
  return configuredScan(depot.config, await depotRuntime(depot, runtime));
}

/**
 * What a depot's steps run with: its credentials (or why there are none: a depot's missing
 * credentials fail that depot alone), its adapters, and its notices and log lines stamped
 * with its name.
 */
export async function depotRuntime(
  depot: DepotScope,
  runtime: DepotScanRuntime & { runId?: string },
): Promise<ConfiguredScanRuntime> {
  let credentials: ConfiguredScanRuntime['credentials'];
  try {
    credentials = await runtime.credentials(depot);
  } catch (error) {
    // One fleet has nothing else to scan: its missing credentials stop the run, as they did.
    if (depot.name === undefined) throw error;
    credentials = { unavailable: error instanceof Error ? error.message : String(error) };
  }
  return { ...runtime, credentials, ...depotAdapters(depot, runtime) };
}

/** A depot's adapters, its notices and log lines stamped with its name. */
export function depotAdapters(
  depot: DepotScope,
  runtime: Pick<DepotScanRuntime, 'adapters' | 'log'>,
): DepotAdapters & { log: Log } {
  const adapters = runtime.adapters(depot);
  const named = depot.name;
  if (named === undefined) return { ...adapters, log: runtime.log };
  return {
    ...adapters,
    alerts: stamped(adapters.alerts, named),
    log: withDepot(runtime.log, named),
  };
}

/** The depots' summaries as one run's: counts added up, every connector named with its depot. */
export function merged(
  runId: string,
  summaries: readonly { name: string; summary: ScanSummary }[],
): ScanSummary {
  const connectors: ConnectorResult[] = summaries.flatMap(({ name, summary }) =>
    summary.connectors.map((c) => ({ depot: name, ...c })),
  );
  const totals = totalsOf(connectors);
  // The fleet steps' notices and incidents are the depots' own, beyond their connectors'.
  for (const { summary } of summaries) {
    const own = totalsOf(summary.connectors);
    totals.alerted += summary.totals.alerted - own.alerted;
    totals.openIncidents += summary.totals.openIncidents - own.openIncidents;
  }
  const named = (field: 'fleetError' | 'stateError' | 'deliveryError') => {
    const errors = summaries.flatMap(({ name, summary }) =>
      summary[field] === undefined ? [] : [`${name}: ${summary[field]}`],
    );
    return errors.length > 0 ? { [field]: errors.join('; ') } : {};
  };
  const times = summaries.map(({ summary }) => summary);
  return {
    runId,
    startedAt: times.map((s) => s.startedAt).sort()[0] ?? new Date().toISOString(),
    finishedAt:
      times
        .map((s) => s.finishedAt)
        .sort()
        .at(-1) ?? new Date().toISOString(),
    totals,
    connectors,
    failed: summaries.flatMap(({ name, summary }) =>
      summary.failed.map((f) => ({ depot: name, ...f })),
    ),
    ...named('fleetError'),
    ...named('stateError'),
    ...named('deliveryError'),
  };
}

/** An alert sink that says which depot each notice is from, in its text and its attributes. */
function stamped(alerts: AlertSink, depot: string): AlertSink {
  return {
    publish: (notices: readonly IncidentNotification[]) =>
      alerts.publish(notices.map((notice) => ({ ...notice, depot }))),
  };
}

/** A log whose lines name the depot. */
function withDepot(log: Log, depot: string): Log {
  return {
    info: (message, fields) => log.info(message, { depot, ...fields }),
    warn: (message, fields) => log.warn(message, { depot, ...fields }),
    error: (message, fields) => log.error(message, { depot, ...fields }),
  };
}

/** Progress told the run's start once, for every depot, rather than once per depot. */
function withoutStart(progress: ScanProgress): ScanProgress {
  return {
    started: () => {},
    reportsRead: (count) => progress.reportsRead(count),
    connectorDone: (result) => progress.connectorDone(result),
    retrying: (wait) => progress.retrying(wait),
  };
}
