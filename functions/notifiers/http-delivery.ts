import { plainText } from '../core/vendor-text.ts';
import { PermanentError, TransientError } from '../http/errors.ts';
import type { Fetch } from '../http/http.ts';
import { networkProblem } from '../http/network-errors.ts';
import { parseRetryAfter, realSleep, type Sleep, withRetries } from '../http/retry.ts';
import { isDeliverableUrl } from './channel-fields.ts';

/** How hard a channel tries to deliver one request. */
export interface DeliveryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** First backoff delay; it doubles per attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap on any one wait, a Retry-After included: a service asking for longer fails this time. */
  maxDelayMs: number;
  /** Time for one attempt, answer included. */
  timeoutMs: number;
}

/**
 * Four attempts over about 7 s of backoff at most (Retry-After up to 30 s): enough for a
 * rate-limited burst or a restarting service; the notifier function's own retries and the
 * next run's notices take over beyond that.
 */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  timeoutMs: 10_000,
};

/** A service's answer: its status and body text. */
export interface HttpAnswer {
  status: number;
  text: string;
}

/** One HTTP request a channel makes for a notice. */
export interface ChannelRequest {
  /** What it does, for an error: `trigger`, `resolve inc-…`. */
  what: string;
  /** May hold a secret (a Slack or Teams webhook): it never reaches an error message. */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Why a 2xx answer is not what the service documents, or undefined when it is. */
  malformed(answer: HttpAnswer): string | undefined;
}

/**
 * A request delivered, or why not. `channelDown` says the channel itself is out of reach
 * (no connection, retries spent, credentials or URL refused), so the rest of its notices in
 * this publish fail without being tried.
 */
export type DeliveryResult = { ok: true } | { ok: false; error: string; channelDown: boolean };

/** Statuses that say the channel's URL or credentials are wrong, not this one notice. */
const CHANNEL_REFUSED = new Set([401, 403, 404, 410]);

/** What a delivery waits and fetches with. */
export interface DeliveryOptions {
  policy?: DeliveryPolicy;
  fetch?: Fetch;
  sleep?: Sleep;
}

/**
 * POSTs one request: 429 and 5xx (and a connection that fails or times out) are retried with
 * jittered exponential backoff, honouring Retry-After up to the policy's cap; any other
 * non-2xx fails at once, and so does a 2xx whose body is not what the service documents.
 * Redirects are not followed: one would carry the body (and any key in it) elsewhere.
 */
export async function deliver(
  request: ChannelRequest,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  // A URL given through a secret or the environment is only seen here.
  if (!isDeliverableUrl(request.url))
    return {
      ok: false,
      error: `${request.what}: the URL is not https:// (plain http:// only for localhost)`,
      channelDown: true,
    };
  const policy = options.policy ?? DEFAULT_DELIVERY_POLICY;
  const fetchFn = options.fetch ?? fetch;
  try {
    await withRetries(
      () => attempt(request, policy, fetchFn),
      {
        policy: {
          maxAttempts: policy.attempts,
          baseDelayMs: policy.baseDelayMs,
          maxDelayMs: policy.maxDelayMs,
        },
        sleep: options.sleep ?? realSleep,
      },
      (error, attempts) => Object.assign(new Error(), { cause: error, attempts }),
    );
    return { ok: true };
  } catch (given) {
    const { cause, attempts } = given as { cause: unknown; attempts: number };
    const status =
      cause instanceof TransientError || cause instanceof PermanentError ? cause.status : undefined;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return {
      ok: false,
      error: `${request.what}: ${status !== undefined ? `HTTP ${status}, ` : ''}${reason} (after ${attempts} attempt(s))`,
      channelDown:
        cause instanceof TransientError || (status !== undefined && CHANNEL_REFUSED.has(status)),
    };
  }
}

async function attempt(
  request: ChannelRequest,
  policy: DeliveryPolicy,
  fetchFn: Fetch,
): Promise<void> {
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new TransientError(connectionProblem(error, policy.timeoutMs));
  }
  const { status } = response;
  if (status === 429 || status >= 500)
    throw new TransientError(
      status === 429 ? 'rate limited' : 'server error',
      status,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  if (status < 200 || status >= 300)
    throw new PermanentError(`refused: ${plainText(text, 200) || 'no reason given'}`, status);
  const problem = request.malformed({ status, text });
  if (problem !== undefined) throw new PermanentError(`malformed answer: ${problem}`, status);
}

/** Why no answer came, without the URL (it may be the secret). */
function connectionProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return `connection failed${networkProblem(cause) ? `: ${networkProblem(cause)}` : code ? `: ${code}` : ''}`;
}

/** A JSON body's object, or undefined when the text is no JSON object. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
