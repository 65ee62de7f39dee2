import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../functions/config/config.ts';
import { Secret } from '../functions/core/secret.ts';
import type { Log } from '../functions/scan/ports.ts';
import { scanFromConfig } from '../functions/wiring/scan-from-config.ts';
import { startChild } from './children.ts';
import { type BenchResult, type Figure, fmt, simulatedFleet } from './harness.ts';

/** What BENCHMARKS.md says under "Concurrency under an unknown rate limit", below its figures. */
const NOTES = [
  'The adaptive limit needs about 470 answered requests to climb from 8 to 32. Against a rate limit it halves on the first 429s and stays near the limit, where a fixed 32 keeps drawing 429s and loses connectors. Wall times need a quiet machine; the 429 counts do not.',
];

// A long latency and one session per connector keep the scan waiting on the network rather than
// on the CPU it shares with the simulator, so the cases differ by what the concurrency does: at
// 100 ms, 32 in flight asked for 320 requests a second, about what two cores serve and scan,
// and the unthrottled cases moved by up to 34 % between two runs.
const LATENCY_MS = 400;
/** A first scan of a few chargers before the measured ones, so none pays for the warm-up. */
const WARM_UP_CHARGERS = 10;
const CHARGERS = 250;
/** What the throttled simulator allows: report requests at once, then 429 with Retry-After. */
const MAX_IN_FLIGHT = 12;
const RETRY_AFTER_SECONDS = 1;
/** The fixed clock of simulator and scan, so every case reads the same sessions. */
const NOW_ISO = '2026-11-24T12:00:00.000Z';
const CASES = [
  { name: 'fixed 8', concurrency: 8, adaptive: false },
  { name: 'fixed 32', concurrency: 32, adaptive: false },
  { name: 'AIMD, start 8, ceiling 32', concurrency: 32, adaptive: true },
] as const;

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Fixed concurrency against the adaptive limit, on an API without a rate limit and on one
 * that allows fewer requests at once than the ceiling: scan time, 429s drawn, connectors lost,
 * and the ratio to the network's lower bound, requests × latency / what may be in flight.
 */
export async function rateLimit(): Promise<BenchResult> {
  const figures: Figure[] = [];
  for (const rateLimited of [false, true]) {
    const sim = await startChild<{ url: string; tokenUrl: string }>('simulator', {
      fleet: { chargers: CHARGERS, connectorsPerCharger: 2, sessionIntervalMinutes: 480 },
      latencyMs: LATENCY_MS,
      nowIso: NOW_ISO,
      ...(rateLimited
        ? { rateLimit: { maxInFlight: MAX_IN_FLIGHT, retryAfterSeconds: RETRY_AFTER_SECONDS } }
        : {}),
    });
    try {
      await throttledScan(sim.info, WARM_UP_CHARGERS, 8, false);
      for (const c of CASES) {
        const run = await throttledScan(sim.info, CHARGERS, c.concurrency, c.adaptive);
        const inFlight = rateLimited ? Math.min(c.concurrency, MAX_IN_FLIGHT) : c.concurrency;
        const bound = ((run.requests - run.throttled) * LATENCY_MS) / inFlight;
        figures.push({
          ratio: run.wallMs / bound,
          label: `${rateLimited ? `limit ${MAX_IN_FLIGHT} at once` : 'no rate limit'}, ${c.name}`,
          value:
            `${fmt(run.wallMs / 1000, 2)} s, ${fmt(run.throttled)} 429s, ${run.failed} connectors failed, ` +
            `bound ${fmt(bound / 1000, 2)} s, ratio ${fmt(run.wallMs / bound, 2)}`,
        });
      }
    } finally {
      await sim.stop();
    }
  }
  return {
    title: 'Concurrency under an unknown rate limit',
    method:
      `${fmt(CHARGERS)} chargers × 2 connectors, one session each in the 8-hour first-run window (one request each), the simulator in its own ` +
      `process adding ${LATENCY_MS} ms a request, with no rate limit or with ${MAX_IN_FLIGHT} report requests at once ` +
      `(beyond it 429 with Retry-After: ${RETRY_AFTER_SECONDS}, waited for real), fixed clock, default retry policy (5 attempts). ` +
      'Fixed = scan.concurrency connectors and as many requests at once, as before the limiter. ' +
      'Lower bound = answered requests × latency / the most that may be in flight (the ceiling, or the rate limit when lower).',
    figures,
    notes: NOTES,
  };
}

interface ThrottledScan {
  wallMs: number;
  /** HTTP requests to the API, the token and the throttled ones included. */
  requests: number;
  throttled: number;
  failed: number;
}

/** One timed scan of the simulated fleet into a fresh folder, counting what the API answered. */
async function throttledScan(
  sim: { url: string; tokenUrl: string },
  chargers: number,
  concurrency: number,
  adaptive: boolean,
): Promise<ThrottledScan> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rate-limit-'));
  try {
    const config = parseConfig(
      {
        fleet: simulatedFleet(chargers),
        api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
        archive: join(dir, 'archive'),
        state: join(dir, 'state'),
        alerts: [join(dir, 'alerts.jsonl')],
        scan: { concurrency, initialLookbackHours: 8, requestTimeoutMs: 60_000 },
      },
      'benchmark',
    );
    let requests = 0;
    let throttled = 0;
    const counting: typeof fetch = async (input, init) => {
      requests++;
      const response = await fetch(input, init);
      if (response.status === 429) throttled++;
      return response;
    };
    const now = Date.parse(NOW_ISO);
    const start = performance.now();
    const summary = await scanFromConfig(config, {
      credentials: { clientId: new Secret('demo-client'), clientSecret: new Secret('demo-secret') },
      log: quiet,
      baseDir: dir,
      fetch: counting,
      now: () => now,
      ...(adaptive ? {} : { requestGate: 'fixed' as const }),
    });
    const wallMs = performance.now() - start;
    return { wallMs, requests, throttled, failed: summary.failed.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
