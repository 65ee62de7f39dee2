import { Secret } from '../../functions/core/secret.ts';
import type { RetryPolicy } from '../../functions/http/retry.ts';
import { DepotSimulator, type SimulatorOptions } from '../../functions/simulator/server.ts';
import { SessionReportsClient } from '../../functions/sources/depotfinity/session-reports.ts';
import { AccessTokenProvider } from '../../functions/sources/depotfinity/token.ts';

/** Starts a simulator on a free port; stop it in afterEach/afterAll. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<DepotSimulator> {
  return new DepotSimulator(options).start();
}

/** Options for a client pointed at a simulator. */
export interface TestClientOptions {
  pageSize?: number;
  timeoutMs?: number;
  policy?: Partial<RetryPolicy>;
  clientSecret?: string;
  now?: () => number;
}

/**
 * A DepotFinity client for a simulator whose waits are recorded instead of slept,
 * so tests can check Retry-After and backoff without waiting for them.
 */
export function clientFor(simulator: DepotSimulator, options: TestClientOptions = {}) {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 30_000, ...options.policy };
  const timeoutMs = options.timeoutMs ?? 2_000;
  const tokens = new AccessTokenProvider({
    tokenUrl: simulator.tokenUrl,
    clientId: new Secret('demo-client'),
    clientSecret: new Secret(options.clientSecret ?? 'demo-secret'),
    timeoutMs,
    policy,
    fetch,
    sleep,
    now: options.now ?? Date.now,
  });
  const client = new SessionReportsClient({
    baseUrl: simulator.url,
    tokens,
    pageSize: options.pageSize ?? 10,
    timeoutMs,
    policy,
    fetch,
    sleep,
  });
  return { client, tokens, sleeps };
}

/** Reads every page of one connector's window into one list. */
export async function readAll(
  client: SessionReportsClient,
  query: { chargerId: string; connectorId: string; from: string; to: string },
) {
  const pages = [];
  for await (const page of client.pages(query)) pages.push(page);
  return {
    pages,
    items: pages.flatMap((p) => p.items.map((i) => i.value)) as {
      sessionId: number;
      sessionTimeStart: string;
    }[],
  };
}

/** Every session the simulator serves, over its whole fleet, for a window read at `now`. */
export function fleetSessionsBetween(
  simulator: DepotSimulator,
  from: number,
  to: number,
  now: number = to,
) {
  const { fleet } = simulator;
  return fleet
    .chargerIds()
    .flatMap((chargerId) =>
      fleet
        .connectorIds()
        .flatMap((connectorId) => fleet.sessionsBetween(chargerId, connectorId, from, to, now)),
    );
}
