import type { Secret } from '../../core/secret.ts';
import { PermanentError } from '../../http/errors.ts';
import { type Fetch, requestJson } from '../../http/http.ts';
import { type RetryPolicy, type Sleep, withRetries } from '../../http/retry.ts';
import { DeadlineReached } from '../../scan/ports.ts';
import { CredentialsRefusedError, DepotApiError } from './errors.ts';

export interface AccessTokenOptions {
  tokenUrl: string;
  clientId: Secret;
  clientSecret: Secret;
  timeoutMs: number;
  policy: RetryPolicy;
  fetch: Fetch;
  sleep: Sleep;
  now: () => number;
  /** No token request starts and no retry waits past this moment (epoch ms). */
  deadline?: number;
  /** Aborted at `deadline`: a token request still in flight then is cut (see `abortAt`). */
  deadlineSignal?: AbortSignal;
  /** Called once per retried attempt, for metrics. */
  onRetry?: () => void;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * OAuth 2 client-credentials tokens for the DepotFinity API.
 * A token is cached until shortly before `expires_in` runs out; concurrent callers share one
 * request. A 400/401/403 from the token endpoint is final: the credentials are wrong, and
 * hammering the endpoint would not fix them.
 */
export class AccessTokenProvider {
  #cached: CachedToken | undefined;
  #pending: Promise<string> | undefined;
  #requests = 0;

  constructor(private readonly options: AccessTokenOptions) {}

  /** How many token requests were sent, for metrics and tests. */
  get requests(): number {
    return this.#requests;
  }

  /** A valid access token, from cache when it has life left. */
  async get(): Promise<string> {
    if (this.#cached && this.options.now() < this.#cached.expiresAt) return this.#cached.value;
    this.#pending ??= this.#fetchToken().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Drops a token the API rejected (401), so the next `get()` asks for a new one. */
  invalidate(token: string): void {
    if (this.#cached?.value === token) this.#cached = undefined;
  }

  async #fetchToken(): Promise<string> {
    const { options } = this;
    const basic = Buffer.from(
      `${options.clientId.reveal()}:${options.clientSecret.reveal()}`,
    ).toString('base64');
    const attempt = async (): Promise<CachedToken> => {
      this.#requests++;
      const response = await requestJson(options.fetch, {
        url: options.tokenUrl,
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        timeoutMs: options.timeoutMs,
        maxBodyBytes: 64 * 1024,
        ...(options.deadlineSignal ? { deadline: options.deadlineSignal } : {}),
      });
      if ([400, 401, 403].includes(response.status)) {
        throw new CredentialsRefusedError(response.status);
      }
      if (response.json === undefined) {
        throw new PermanentError(
          response.status >= 300 && response.status < 400
            ? 'the token endpoint answered with a redirect, which is not followed (the client secret would go along); check api.tokenUrl'
            : 'unexpected answer from the token endpoint',
          response.status,
        );
      }
      return readToken(response.json, options.now());
    };
    const token = await withRetries(attempt, options, (error, attempts) => {
      if (error instanceof CredentialsRefusedError || error instanceof DeadlineReached)
        return error;
      const status = (error as { status?: number }).status;
      const reason = error instanceof Error ? error.message : String(error);
      return new DepotApiError({}, status, attempts, `access token: ${reason}`);
    });
    this.#cached = token;
    return token.value;
  }
}

function readToken(body: unknown, now: number): CachedToken {
  const {
    access_token: value,
    expires_in: expiresIn,
    token_type: type,
  } = (body ?? {}) as Record<string, unknown>;
  if (typeof value !== 'string' || value.length === 0) {
    throw new PermanentError('token response has no access_token');
  }
  if (typeof type === 'string' && type.toLowerCase() !== 'bearer') {
    // Not quoted: a proxy that echoes the request could have put the Basic header there.
    throw new PermanentError(
      `the token type is not "bearer" (${type.length} characters, not shown)`,
    );
  }
  const lifetimeMs = tokenLifetimeMs(expiresIn);
  // Renew a minute early, or at 90 % of a short lifetime, so no request leaves with a dying token.
  const margin = Math.min(60_000, lifetimeMs * 0.1);
  return { value, expiresAt: now + lifetimeMs - margin };
}

// The vendor documents `expires_in` in seconds but no bound on it (depotfinity-api.md), so the
// bounds are ours: at most an hour, since a lifetime such as 1e308 would keep a token forever,
// past any rotation or revocation; at least ten seconds, so a near-zero one does not cost a
// token request per page. Renewing early costs one request; keeping a dead token costs a 401,
// after which the client asks again.
const MAX_TOKEN_LIFETIME_S = 3_600;
const MIN_TOKEN_LIFETIME_S = 10;
/** What a token lives when `expires_in` is missing, not a number, zero or negative. */
const DEFAULT_TOKEN_LIFETIME_S = 300;

/** How long a token is kept (ms), from the `expires_in` the token endpoint gave, within bounds. */
export function tokenLifetimeMs(expiresIn: unknown): number {
  // Some servers send the number as a string; JSON cannot carry Infinity or NaN, but a string can.
  const seconds =
    typeof expiresIn === 'number'
      ? expiresIn
      : typeof expiresIn === 'string' && expiresIn.trim() !== ''
        ? Number(expiresIn)
        : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return DEFAULT_TOKEN_LIFETIME_S * 1000;
  return Math.min(Math.max(seconds, MIN_TOKEN_LIFETIME_S), MAX_TOKEN_LIFETIME_S) * 1000;
}
