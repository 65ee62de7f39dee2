import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, parseConfig } from '../../functions/config/config.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { Secret } from '../../functions/core/secret.ts';
import type { Log } from '../../functions/scan/ports.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { type ScanRuntime, scanFromConfig } from '../../functions/wiring/scan-from-config.ts';

/** Log lines a test can search. */
export function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/** A config that scans the simulator's whole fleet into `dir` with local adapters. */
export function configFor(
  sim: DepotSimulator,
  dir: string,
  scan: Record<string, unknown> = {},
): Config {
  return parseConfig(
    {
      fleet: sim.fleet
        .chargerIds()
        .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
      api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
      archive: join(dir, 'archive'),
      state: join(dir, 'state'),
      alerts: [join(dir, 'alerts.jsonl')],
      scan: { pageSize: 10, maxAttempts: 3, requestTimeoutMs: 2_000, ...scan },
    },
    'test config',
  );
}

/** Runs one scan against a simulator, with waits skipped and the given clock. */
export function scanOnce(config: Config, now: () => number, runtime: Partial<ScanRuntime> = {}) {
  return scanFromConfig(config, {
    credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
    log: recordingLog(),
    baseDir: '/',
    sleep: async () => undefined,
    now,
    ...runtime,
  });
}

/** Every file under a folder, as paths relative to it. */
export async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}

/** The notices written to a JSONL alerts file, in the order written. */
export async function alertsIn(path: string): Promise<IncidentNotification[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
