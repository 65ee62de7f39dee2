import type { RetryWait } from '../scan/ports.ts';
import { PermanentError, TransientError } from './errors.ts';

/** How hard the client tries before giving up on a request. */
export interface RetryPolicy {
  /** Attempts per request, the first included. Default: 5. */
  maxAttempts: number;
  /** First backoff delay; it doubles per attempt. Default: 500 ms. */
  baseDelayMs: number;
  /** Cap on any one wait, including one a server asks for with Retry-After. Default: 30 s. */
  maxDelayMs: number;
}

/** Waits; injectable so tests can record delays instead of sleeping through them. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delay before the next attempt: the server's Retry-After when it gave one, else exponential
 * backoff with full jitter (so many connectors throttled together do not retry in lockstep).
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  error: unknown,
  random: () => number = Math.random,
): number {
  if (error instanceof TransientError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, policy.maxDelayMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP date. Returns milliseconds,
 * or undefined when absent or unreadable.
 */
export function parseRetryAfter(
  header: string | null,
  now: number = Date.now(),
): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface RetryOptions {
  policy: RetryPolicy;
  sleep: Sleep;
  /** No wait ends past this moment (epoch ms): the attempt that would need it is the last. */
  deadline?: number;
  now?: () => number;
  /**
   * Called before each wait, for metrics and for a person watching: which attempt failed, why,
   * and how long the wait is. What the request was for is the caller's to add.
   */
  onRetry?: (wait: Omit<RetryWait, 'where'>) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying only TransientError, at most
 * `policy.maxAttempts` times. `giveUp` turns the last error into the one callers see. With a
 * `deadline`, no attempt starts after it and no wait would end past it.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: RetryOptions,
  giveUp: (error: unknown, attempts: number) => Error,
): Promise<T> {
  const now = options.now ?? Date.now;
  const { deadline } = options;
  for (let n = 1; ; n++) {
    if (deadline !== undefined && now() >= deadline) {
      throw giveUp(new PermanentError("not requested: the run's deadline has passed"), n - 1);
    }
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransientError) || n >= options.policy.maxAttempts) {
        throw giveUp(error, n);
      }
      const delay = retryDelayMs(n, options.policy, error);
      if (deadline !== undefined && now() + delay >= deadline) {
        const reason = `${error.message}; not retried, the run's deadline comes first`;
        throw giveUp(new PermanentError(reason, error.status), n);
      }
      options.onRetry?.({
        attempt: n,
        of: options.policy.maxAttempts,
        waitMs: delay,
        reason: retryReason(error),
      });
      await options.sleep(delay);
    }
  }
}

/** Why an attempt failed, in a few words: `HTTP 503 server error`, `no complete response …`. */
function retryReason(error: TransientError): string {
  return error.status !== undefined ? `HTTP ${error.status} ${error.message}` : error.message;
}
