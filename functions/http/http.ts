import {
  BodyTooLargeError,
  PermanentError,
  RequestCutByDeadline,
  TransientError,
} from './errors.ts';
import { networkProblem } from './network-errors.ts';
import { requestSignal } from './request-signal.ts';
import { parseRetryAfter } from './retry.ts';

/** The slice of `fetch` the client needs; injectable for tests. */
export type Fetch = typeof fetch;

export interface JsonRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Bodies larger than this are refused rather than buffered. */
  maxBodyBytes: number;
  /** Aborted at the run's deadline: the request stops then, even in flight. Default: none. */
  deadline?: AbortSignal;
}

/**
 * A response that arrived in full and parsed as JSON (with the text it was parsed from), or a
 * status the caller decides on.
 */
export type JsonResponse =
  | { status: number; json: unknown; text: string }
  | { status: number; json?: undefined; text?: undefined };

/**
 * A signal aborted at `deadline` (epoch ms on the clock `now`), for `JsonRequest.deadline`.
 * Its timer runs on the real clock and does not keep the process alive.
 */
export function abortAt(deadline: number, now: () => number = Date.now): AbortSignal {
  return AbortSignal.timeout(Math.max(0, deadline - now()));
}

/**
 * One HTTP attempt that reads a JSON body under a timeout and a size cap.
 * Network errors, timeouts, 429 and 5xx become TransientError; a body that does not parse
 * (truncated in transit, most likely) is transient too. Other statuses are returned as-is.
 */
export async function requestJson(fetchFn: Fetch, request: JsonRequest): Promise<JsonResponse> {
  // A deadline that only stopped new requests let one in flight run out its whole timeout.
  const { signal, done } = requestSignal(request.timeoutMs, request.deadline);
  try {
    return await attempt(fetchFn, request, signal);
  } finally {
    done();
  }
}

async function attempt(
  fetchFn: Fetch,
  request: JsonRequest,
  signal: AbortSignal,
): Promise<JsonResponse> {
  const { deadline } = request;
  const cut = () => new RequestCutByDeadline(`${request.method ?? 'GET'} ${pathOf(request.url)}`);
  if (deadline?.aborted) throw cut();
  let response: Response;
  try {
    response = await fetchFn(request.url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      signal,
      // A redirect would carry the bearer token or client secret to wherever it points; a 3xx
      // is returned to the caller as a status instead.
      redirect: 'manual',
    });
  } catch (error) {
    if (deadline?.aborted) throw cut();
    throw new TransientError(describeNetworkError(error, request.timeoutMs));
  }
  const { status } = response;
  if (status === 429 || status >= 500) {
    await response.body?.cancel().catch(() => undefined);
    throw new TransientError(
      status === 429 ? 'throttled by the API' : 'server error',
      status,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  if (status < 200 || status >= 300) {
    await response.body?.cancel().catch(() => undefined);
    return { status };
  }
  let text: string;
  try {
    text = await readCapped(response, request.maxBodyBytes);
  } catch (error) {
    if (error instanceof PermanentError) throw error;
    if (deadline?.aborted) throw cut();
    throw new TransientError(describeNetworkError(error, request.timeoutMs), status);
  }
  try {
    return { status, json: JSON.parse(text), text };
  } catch {
    throw new TransientError(
      `response body is not valid JSON (${text.length} characters; truncated in transit?)`,
      status,
    );
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes, declared);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no complete response within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const said = networkProblem(cause) ?? cause?.message;
  return `connection failed${said ? `: ${said}` : ''}`;
}

/** A URL's path without its query, for an error message: the query may name what is secret. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return 'request';
  }
}
