import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Fault, FaultQueue } from './faults.ts';
import { type FleetOptions, SimulatedFleet } from './fleet.ts';

export interface SimulatorOptions {
  fleet?: Partial<FleetOptions>;
  /** Credentials the token endpoint accepts. Default: `demo-client` / `demo-secret`. */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued tokens. Default: 3600 s. */
  tokenTtlSeconds?: number;
  /** Added to every request, to stand in for the network. Default: 0. */
  latencyMs?: number;
  /** The simulator's clock; sessions not yet ended are not served. Default: Date.now. */
  now?: () => number;
  /** A rate limit on the session reports endpoint, as the vendor may have one. Default: none. */
  rateLimit?: RateLimit;
}

/**
 * Report requests beyond `maxInFlight` at once are answered 429 with Retry-After. Counted
 * from arrival to the end of the response, latency included, as a gateway in front of the
 * vendor's servers would count them.
 */
export interface RateLimit {
  maxInFlight: number;
  /** The Retry-After header's value, in seconds. Default: 1. */
  retryAfterSeconds?: number;
}

/** Requests served, by endpoint, for tests and benchmarks. */
export interface SimulatorStats {
  tokenRequests: number;
  reportRequests: number;
  /** Report requests answered 429 by the rate limit. */
  throttled: number;
  /** Reports served in pages answered 200. */
  reportsServed: number;
}

/**
 * A DepotFinity-compatible HTTP server: the OAuth token endpoint and the session reports
 * endpoint, with the documented paging and `limit` bounds, serving a synthetic fleet.
 * Tests switch faults on with `inject()` and `expireTokens()`.
 */
export class DepotSimulator {
  readonly fleet: SimulatedFleet;
  readonly stats: SimulatorStats = {
    tokenRequests: 0,
    reportRequests: 0,
    throttled: 0,
    reportsServed: 0,
  };
  readonly #faults = new FaultQueue();
  readonly #tokens = new Map<string, number>();
  readonly #issued: string[] = [];
  readonly #server: Server;
  readonly #options: Required<Omit<SimulatorOptions, 'fleet' | 'rateLimit'>>;
  readonly #rateLimit: RateLimit | undefined;
  #reportsInFlight = 0;
  #url = '';

  constructor(options: SimulatorOptions = {}) {
    this.fleet = new SimulatedFleet(options.fleet);
    this.#options = {
      clientId: options.clientId ?? 'demo-client',
      clientSecret: options.clientSecret ?? 'demo-secret',
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      latencyMs: options.latencyMs ?? 0,
      now: options.now ?? Date.now,
    };
    this.#rateLimit = options.rateLimit;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.destroy();
      });
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Base URL once started, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#url;
  }

  /** The token endpoint's URL. */
  get tokenUrl(): string {
    return `${this.#url}/oauth2/token`;
  }

  /** Listens on 127.0.0.1; port 0 picks a free one. */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    const { port: actual } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${actual}`;
    return this;
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Queues a fault for the next matching request(s). */
  inject(fault: Fault): void {
    this.#faults.add(fault);
  }

  /** Drops all queued faults. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** Every access token handed out so far, for tests that check none leaks. */
  issuedTokens(): readonly string[] {
    return this.#issued;
  }

  /** Makes every issued token expire now, as if the scan ran past their lifetime. */
  expireTokens(): void {
    this.#tokens.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const throttled = this.#overRateLimit(req, url, res);
    if (this.#options.latencyMs > 0) await delay(this.#options.latencyMs);
    if (throttled) {
      const seconds = this.#rateLimit?.retryAfterSeconds ?? 1;
      return sendJson(res, 429, { message: 'Too Many Requests' }, { 'retry-after': `${seconds}` });
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') return this.#token(req, res);
    if (req.method === 'GET' && url.pathname === '/v1/sessionReports')
      return this.#reports(req, res, url);
    sendJson(res, 404, { message: 'not found' });
  }

  /** Whether a report request is beyond the rate limit; one within it counts until answered. */
  #overRateLimit(req: IncomingMessage, url: URL, res: ServerResponse): boolean {
    if (!this.#rateLimit || req.method !== 'GET' || url.pathname !== '/v1/sessionReports')
      return false;
    if (this.#reportsInFlight >= this.#rateLimit.maxInFlight) {
      this.stats.throttled++;
      return true;
    }
    this.#reportsInFlight++;
    res.once('close', () => this.#reportsInFlight--);
    return false;
  }

  async #token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.tokenRequests++;
    const body = await readBody(req);
    const fault = this.#faults.take({ endpoint: 'token' });
    if (fault && (await applyFault(fault, res))) return;
    const expected = Buffer.from(
      `${this.#options.clientId}:${this.#options.clientSecret}`,
    ).toString('base64');
    if (req.headers.authorization !== `Basic ${expected}`) {
      return sendJson(res, 403, { message: 'Forbidden' });
    }
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
      return sendJson(res, 400, { message: 'unsupported grant_type' });
    }
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, this.#options.now() + this.#options.tokenTtlSeconds * 1000);
    this.#issued.push(token);
    sendJson(res, 200, {
      access_token: token,
      expires_in: this.#options.tokenTtlSeconds,
      token_type: 'Bearer',
    });
  }

  async #reports(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.stats.reportRequests++;
    const q = url.searchParams;
    const chargerId = q.get('chargerId') ?? undefined;
    const connectorId = q.get('connectorId') ?? undefined;
    const fault = this.#faults.take({ endpoint: 'reports', chargerId, connectorId });
    if (
      fault &&
      fault.kind !== 'invalid-item' &&
      fault.kind !== 'truncate' &&
      (await applyFault(fault, res))
    )
      return;

    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = token ? this.#tokens.get(token) : undefined;
    if (expiresAt === undefined || expiresAt <= this.#options.now()) {
      return sendJson(res, 401, { message: 'Unauthorized' });
    }
    if (!chargerId || !connectorId)
      return sendJson(res, 400, { message: 'chargerId and connectorId are required' });
    const limit = Number(q.get('limit') ?? 3);
    const page = Number(q.get('page') ?? 1);
    if (!Number.isInteger(limit) || limit < 10 || limit > 2000) {
      return sendJson(res, 400, { message: 'limit must be an integer from 10 to 2000' });
    }
    if (!Number.isInteger(page) || page < 1)
      return sendJson(res, 400, { message: 'page must be 1 or more' });
    const from = q.has('from') ? Date.parse(q.get('from') ?? '') : 0;
    const to = q.has('to') ? Date.parse(q.get('to') ?? '') : this.#options.now();
    if (Number.isNaN(from) || Number.isNaN(to))
      return sendJson(res, 400, { message: 'from/to must be date-times' });
    if (!this.fleet.has(chargerId, connectorId))
      return sendJson(res, 404, { message: 'charger or connector not found' });

    const sessions = this.fleet.sessionsBetween(
      chargerId,
      connectorId,
      from,
      to,
      this.#options.now(),
    );
    const items: unknown[] = sessions.slice((page - 1) * limit, page * limit).map((s) => s.report);
    if (fault?.kind === 'invalid-item' && items.length > 0) {
      items[0] = { ...(items[0] as object), energySocStart: 'seventy' };
    }
    const body = JSON.stringify({ ChargerID: chargerId, ConnectorID: connectorId, items });
    if (fault?.kind === 'truncate') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body.slice(0, Math.floor(body.length / 2)));
      res.destroy();
      return;
    }
    this.stats.reportsServed += items.length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }
}

/** Answers with a status or a delay; returns true when the response was sent. */
async function applyFault(fault: Fault, res: ServerResponse): Promise<boolean> {
  if (fault.kind === 'slow') {
    await delay(fault.delayMs);
    return false;
  }
  if (fault.kind === 'status') {
    const headers: Record<string, string> = fault.retryAfter
      ? { 'retry-after': fault.retryAfter }
      : {};
    sendJson(res, fault.status, { message: `injected ${fault.status}` }, headers);
    return true;
  }
  return false;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
