import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../functions/core/secret.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import {
  CredentialsRefusedError,
  DepotApiError,
} from '../../functions/sources/depotfinity/errors.ts';
import { SessionReportsClient } from '../../functions/sources/depotfinity/session-reports.ts';
import { AccessTokenProvider } from '../../functions/sources/depotfinity/token.ts';
import { clientFor, readAll, startSimulator } from '../helpers/simulator.ts';

// Sessions every hour: a 48-hour window holds 48 per connector, five pages of ten.
const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const WINDOW = {
  from: new Date(NOW - 48 * 3_600_000).toISOString(),
  to: new Date(NOW).toISOString(),
};
const QUERY = { chargerId: 'HPC-001', connectorId: '1', ...WINDOW };

let sim: DepotSimulator;
beforeEach(async () => {
  sim = await startSimulator({ fleet: { sessionIntervalMinutes: 60 }, now: () => NOW });
});
afterEach(async () => {
  await sim.stop();
});

describe('DepotFinity client against the simulator', () => {
  it('reads every page until a short one', async () => {
    const { client } = clientFor(sim);
    const { pages, items } = await readAll(client, QUERY);
    const expected = sim.fleet.sessionsBetween('HPC-001', '1', Date.parse(WINDOW.from), NOW, NOW);
    expect(expected.length).toBeGreaterThan(40);
    expect(pages.length).toBe(Math.floor(expected.length / 10) + 1);
    expect(items.map((i) => i.sessionId)).toEqual(expected.map((s) => s.sessionId));
    expect(sim.stats.reportRequests).toBe(pages.length);
  });

  it('asks only for the time window and gets only sessions that started in it', async () => {
    const { client } = clientFor(sim);
    const from = new Date(NOW - 6 * 3_600_000).toISOString();
    const { items } = await readAll(client, { ...QUERY, from });
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(items.length).toBeLessThanOrEqual(6);
    for (const item of items)
      expect(Date.parse(item.sessionTimeStart)).toBeGreaterThanOrEqual(Date.parse(from));
  });

  it('caches the token across requests and connectors', async () => {
    const { client } = clientFor(sim);
    await readAll(client, QUERY);
    await readAll(client, { ...QUERY, connectorId: '2' });
    expect(sim.stats.tokenRequests).toBe(1);
  });

  it('gets a new token when the API says the old one expired mid-run', async () => {
    const { client } = clientFor(sim);
    const pages = client.pages(QUERY);
    await pages.next();
    sim.expireTokens();
    let count = 1;
    for await (const _ of pages) count++;
    expect(count).toBeGreaterThan(2);
    expect(sim.stats.tokenRequests).toBe(2);
  });

  it('renews the token before expires_in runs out, without waiting for a 401', async () => {
    let now = NOW;
    const { tokens } = clientFor(sim, { now: () => now });
    const first = await tokens.get();
    now += 3_500_000; // still well within the token's life: served from cache
    expect(await tokens.get()).toBe(first);
    now += 50_000; // 59 min 10 s into a 60-minute token: inside the one-minute renewal margin
    const second = await tokens.get();
    expect(second).not.toBe(first);
    expect(sim.stats.tokenRequests).toBe(2);
  });

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    sim.inject({ kind: 'status', status: 429, retryAfter: '2', endpoint: 'reports' });
    const { client, sleeps } = clientFor(sim);
    const { items } = await readAll(client, QUERY);
    expect(items.length).toBeGreaterThan(40);
    expect(sleeps).toEqual([2_000]);
  });

  it('backs off on a 429 without Retry-After', async () => {
    sim.inject({ kind: 'status', status: 429, endpoint: 'reports' });
    const { client, sleeps } = clientFor(sim, { policy: { baseDelayMs: 100 } });
    await readAll(client, QUERY);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThan(100);
  });

  it('retries 5xx answers and then succeeds', async () => {
    sim.inject({ kind: 'status', status: 503, times: 2, endpoint: 'reports' });
    const { client, sleeps } = clientFor(sim);
    const { items } = await readAll(client, QUERY);
    expect(items.length).toBeGreaterThan(40);
    expect(sleeps).toHaveLength(2);
  });

  it('retries a response that is too slow', async () => {
    sim.inject({ kind: 'slow', delayMs: 600, endpoint: 'reports' });
    const { client, sleeps } = clientFor(sim, { timeoutMs: 200 });
    const { items } = await readAll(client, QUERY);
    expect(items.length).toBeGreaterThan(40);
    expect(sleeps).toHaveLength(1);
  });

  it('retries a truncated body', async () => {
    sim.inject({ kind: 'truncate', endpoint: 'reports' });
    const { client, sleeps } = clientFor(sim);
    const { items } = await readAll(client, QUERY);
    expect(items.length).toBeGreaterThan(40);
    expect(sleeps).toHaveLength(1);
  });

  it('gives up after the last attempt with an error naming charger, connector, page and status', async () => {
    sim.inject({
      kind: 'status',
      status: 500,
      times: Number.POSITIVE_INFINITY,
      chargerId: 'HPC-002',
    });
    const { client, sleeps } = clientFor(sim, { policy: { maxAttempts: 3 } });
    const error = await readAll(client, { ...QUERY, chargerId: 'HPC-002' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DepotApiError);
    expect(error).toMatchObject({
      status: 500,
      attempts: 3,
      target: { chargerId: 'HPC-002', connectorId: '1', page: 1 },
    });
    expect((error as Error).message).toContain(
      'charger HPC-002, connector 1, page 1 after 3 attempt(s): HTTP 500',
    );
    expect(sleeps).toHaveLength(2);
    // Another charger on the same client is unaffected.
    expect((await readAll(client, QUERY)).items.length).toBeGreaterThan(40);
  });

  it('gives up on a truncated body that never arrives whole', async () => {
    sim.inject({ kind: 'truncate', times: Number.POSITIVE_INFINITY });
    const { client } = clientFor(sim, { policy: { maxAttempts: 2 } });
    await expect(readAll(client, QUERY)).rejects.toThrow(/after 2 attempt\(s\)/);
  });

  it('stops at once with a clear error when the token endpoint refuses the credentials', async () => {
    const { client, sleeps } = clientFor(sim, { clientSecret: 'wrong-secret-1234' });
    const error = await readAll(client, QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as Error).message).toContain('refused the client id/secret (HTTP 403');
    expect((error as Error).message).not.toContain('wrong-secret-1234');
    expect(sim.stats.tokenRequests).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry a request the API rejects as malformed', async () => {
    const { client, sleeps } = clientFor(sim, { pageSize: 5 });
    await expect(readAll(client, QUERY)).rejects.toMatchObject({ status: 400, attempts: 1 });
    expect(sleeps).toEqual([]);
  });

  it('passes a schema-invalid item through untouched for the scan to quarantine', async () => {
    sim.inject({ kind: 'invalid-item', endpoint: 'reports' });
    const { client } = clientFor(sim);
    const { items } = await readAll(client, QUERY);
    expect(items[0]).toMatchObject({ energySocStart: 'seventy' });
    expect(items.length).toBeGreaterThan(40);
  });
});

describe('DepotFinity client against an API that misbehaves in ways the simulator does not', () => {
  const tokens = () =>
    new AccessTokenProvider({
      tokenUrl: 'http://api.invalid/oauth2/token',
      clientId: new Secret('id'),
      clientSecret: new Secret('secret'),
      timeoutMs: 1_000,
      policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      fetch: async () =>
        Response.json({ access_token: 't', expires_in: 3600, token_type: 'bearer' }),
      sleep: async () => undefined,
      now: Date.now,
    });
  const clientOptions = () => ({
    baseUrl: 'http://api.invalid',
    tokens: tokens(),
    pageSize: 10,
    timeoutMs: 1_000,
    policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    fetch: (async () => Response.json({ items: [] })) as typeof fetch,
    sleep: async () => undefined,
  });
  const client = (
    fetchFn: typeof fetch,
    maxBodyBytes?: number,
    more: Partial<ConstructorParameters<typeof SessionReportsClient>[0]> = {},
  ) =>
    new SessionReportsClient({
      baseUrl: 'http://api.invalid',
      tokens: tokens(),
      pageSize: 10,
      timeoutMs: 1_000,
      policy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      fetch: fetchFn,
      sleep: async () => undefined,
      ...(maxBodyBytes ? { maxBodyBytes } : {}),
      ...more,
    });
  /** An API over 35 numbered reports that pages by `page` and `limit`, recording each request. */
  const pagingApi = (
    bodyFor: (items: unknown[], limit: number) => string = (items) => JSON.stringify({ items }),
  ) => {
    const requests: URL[] = [];
    const fetchFn = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      requests.push(url);
      const page = Number(url.searchParams.get('page'));
      const limit = Number(url.searchParams.get('limit'));
      const all = Array.from({ length: 35 }, (_, i) => ({ sessionId: String(i) }));
      return new Response(bodyFor(all.slice((page - 1) * limit, page * limit), limit));
    }) as typeof fetch;
    return { fetchFn, requests };
  };
  const fullPage = { items: Array.from({ length: 10 }, (_, i) => ({ sessionId: i })) };

  it('stops when the API ignores the page parameter instead of paging forever', async () => {
    const reader = client(async () => Response.json(fullPage));
    await expect(readAll(reader, QUERY)).rejects.toThrow('had already returned in this window');
  });

  it('stops when the API cycles between pages (A, B, A, B)', async () => {
    const a = { items: Array.from({ length: 10 }, (_, i) => ({ sessionId: `a${i}` })) };
    const b = { items: Array.from({ length: 10 }, (_, i) => ({ sessionId: `b${i}` })) };
    let calls = 0;
    const reader = client(async () => Response.json(calls++ % 2 ? b : a));
    await expect(readAll(reader, QUERY)).rejects.toThrow(/page 3 .*already returned/);
    expect(calls).toBe(3);
  });

  it('asks again in smaller pages from the same place when a page is over the body cap', async () => {
    // Pages of more than 10 reports are too big for the cap, but the first arrives whole.
    let first = true;
    const api = pagingApi((items, limit) => {
      const body = JSON.stringify({ items });
      if (first) {
        first = false;
        return body;
      }
      return limit > 10 ? `${body}${' '.repeat(2_000)}` : body;
    });
    const reader = client(api.fetchFn, 1_000, { pageSize: 20 });
    const { items } = await readAll(reader, QUERY);
    expect(items.map((i) => i.sessionId)).toEqual(Array.from({ length: 35 }, (_, i) => String(i)));
    expect(
      api.requests.map((u) => `${u.searchParams.get('page')}/${u.searchParams.get('limit')}`),
    ).toEqual([
      '1/20', // reports 0-19
      '2/20', // too big
      '3/10', // reports 20-29: the same place, in pages of 10
      '4/10', // reports 30-34, short: the end
    ]);
  });

  it('keeps the path of the base URL and does not follow redirects', async () => {
    const seen: { url: string; redirect: RequestInit['redirect'] }[] = [];
    const reader = new SessionReportsClient({
      ...clientOptions(),
      baseUrl: 'http://gateway.invalid/depot/',
      fetch: (async (input: string | URL | Request, init?: RequestInit) => {
        seen.push({ url: String(input), redirect: init?.redirect });
        return new Response(null, { status: 302, headers: { location: 'http://evil.invalid/' } });
      }) as typeof fetch,
    });
    await expect(readAll(reader, QUERY)).rejects.toThrow(/redirect, which is not followed/);
    expect(seen[0]?.url).toMatch(/^http:\/\/gateway\.invalid\/depot\/v1\/sessionReports\?/);
    expect(seen.every((s) => s.redirect === 'manual')).toBe(true);
  });

  it('fails a connector whose window holds more reports than the run may read', async () => {
    const api = pagingApi();
    const reader = client(api.fetchFn, undefined, { maxItems: 25 });
    await expect(readAll(reader, QUERY)).rejects.toThrow(/more than 25 reports in one window/);
    expect(api.requests).toHaveLength(3);
  });

  it('starts no request and waits for no retry past the deadline', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const api = pagingApi();
    const reader = client(api.fetchFn, undefined, {
      deadline: 1_000,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    const pages = reader.pages(QUERY);
    await pages.next();
    clock = 1_000;
    await expect(pages.next()).rejects.toThrow(/deadline has passed/);
    expect(api.requests).toHaveLength(1);

    // A retry whose wait would end past the deadline is not made.
    clock = 0;
    const slow = client(
      async () => new Response('busy', { status: 503, headers: { 'retry-after': '5' } }),
      undefined,
      {
        deadline: 1_000,
        now: () => clock,
        policy: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 10_000 },
      },
    );
    await expect(readAll(slow, QUERY)).rejects.toThrow(
      /not retried, the run's deadline comes first/,
    );
  });

  it('asks the token endpoint for nothing past the deadline either', async () => {
    let asked = 0;
    const late = new AccessTokenProvider({
      tokenUrl: 'http://api.invalid/oauth2/token',
      clientId: new Secret('id'),
      clientSecret: new Secret('secret'),
      timeoutMs: 1_000,
      policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      fetch: async () => {
        asked++;
        return Response.json({ access_token: 't', expires_in: 3600 });
      },
      sleep: async () => undefined,
      now: () => 2_000,
      deadline: 1_000,
    });
    await expect(late.get()).rejects.toThrow(/deadline has passed/);
    expect(asked).toBe(0);
  });

  it('refuses a page larger than the body limit without buffering it', async () => {
    const reader = client(async () => Response.json(fullPage), 100);
    await expect(readAll(reader, QUERY)).rejects.toThrow(/exceeds the 100-byte limit/);
  });

  it('names a page that is not a report list', async () => {
    const reader = client(async () => Response.json({ results: [] }));
    await expect(readAll(reader, QUERY)).rejects.toThrow('the page is not a session report list');
  });
});
