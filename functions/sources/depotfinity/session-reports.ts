import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { BodyTooLargeError, PermanentError } from '../../http/errors.ts';
import { type Fetch, requestJson } from '../../http/http.ts';
import type { RequestGate } from '../../http/request-gate.ts';
import { type RetryPolicy, type Sleep, withRetries } from '../../http/retry.ts';
import {
  DeadlineReached,
  type RawItem,
  type ReportPage,
  type ReportQuery,
  type ReportSource,
} from '../../scan/ports.ts';
import { CredentialsRefusedError, DepotApiError } from './errors.ts';
import { itemTexts } from './page-items.ts';
import type { AccessTokenProvider } from './token.ts';

export interface DepotClientOptions {
  /** e.g. `https://api.eu.depot.emobility.io`; `v1/sessionReports` is appended to its path. */
  baseUrl: string;
  tokens: AccessTokenProvider;
  /** Items per page, 10..2000 as the API documents. */
  pageSize: number;
  timeoutMs: number;
  policy: RetryPolicy;
  fetch: Fetch;
  sleep: Sleep;
  /** Pages larger than this are asked for again in smaller pages. Default: 64 MiB. */
  maxBodyBytes?: number;
  /** A connector with more pages than this in one window is an API that ignores `page`. */
  maxPages?: number;
  /** Reports read from one connector's window, at most; beyond it the connector fails. */
  maxItems?: number;
  /** No request starts and no retry waits past this moment (epoch ms). */
  deadline?: number;
  /** Aborted at `deadline`: a request still in flight then is cut (see `abortAt`). */
  deadlineSignal?: AbortSignal;
  now?: () => number;
  /** Called once per retried attempt, for metrics. */
  onRetry?: () => void;
  /**
   * Shared by every connector of a run: how many requests may be in flight, backing off on
   * 429. Default: none, so only the connectors read at once bound the requests.
   */
  gate?: RequestGate;
}

/** One connector and a time window to read. */
export type SessionReportQuery = ReportQuery;

/** The API's smallest page. */
const MIN_PAGE_SIZE = 10;
const pageEnvelope = z.looseObject({ items: z.array(z.unknown()) });

/**
 * Reads DepotFinity session reports page by page. The API has no paging metadata, so a page
 * shorter than the page size is the last. Each page is fetched with retries; a 401 gets one
 * fresh token before it counts as a failure. A page over the body cap is asked for again as
 * smaller pages from the same place, so one connector's large reports cost time, not memory.
 */
export class SessionReportsClient implements ReportSource {
  readonly #endpoint: URL;

  constructor(private readonly options: DepotClientOptions) {
    // A base URL with a path (a gateway's `/depot`) keeps it: `new URL('/v1/…', base)` would not.
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.#endpoint = new URL('v1/sessionReports', base);
  }

  /** Yields the raw pages of one connector's window, in order. */
  async *pages(query: SessionReportQuery): AsyncGenerator<ReportPage> {
    const maxPages = this.options.maxPages ?? 10_000;
    const maxItems = this.options.maxItems ?? Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    let limit = this.options.pageSize;
    let offset = 0;
    let read = 0;
    for (let fetched = 1; fetched <= maxPages; fetched++) {
      const page = offset / limit + 1;
      const target = { ...query, page };
      let items: RawItem[];
      try {
        items = await this.#fetchPage(query, page, limit);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        const smaller = smallerLimit(limit, offset);
        if (smaller === undefined) {
          throw new DepotApiError(target, 200, 1, `${error.message}, even at ${limit} per page`);
        }
        limit = smaller;
        continue;
      }
      // An API that ignores `page`, or cycles through a few pages, would never end: a full
      // page seen before in this window stops the connector. A short page ends it anyway.
      if (items.length === limit) {
        const digest = pageDigest(items);
        if (seen.has(digest)) {
          throw new DepotApiError(
            target,
            200,
            1,
            'the API returned a page it had already returned in this window; it seems to ignore or cycle the page parameter',
          );
        }
        seen.add(digest);
      }
      read += items.length;
      if (read > maxItems) {
        throw new DepotApiError(
          target,
          200,
          1,
          `more than ${maxItems} reports in one window (scan.maxReportsPerConnector); the API seems to ignore the time window`,
        );
      }
      yield { page, items };
      if (items.length < limit) return;
      offset += limit;
    }
    throw new DepotApiError(
      { ...query },
      undefined,
      1,
      `more than ${maxPages} full pages in one window; the API seems to ignore the page parameter`,
    );
  }

  async #fetchPage(query: SessionReportQuery, page: number, limit: number): Promise<RawItem[]> {
    const { options } = this;
    const url = new URL(this.#endpoint);
    url.search = new URLSearchParams({
      chargerId: query.chargerId,
      connectorId: query.connectorId,
      from: query.from,
      to: query.to,
      page: String(page),
      limit: String(limit),
    }).toString();
    const target = { chargerId: query.chargerId, connectorId: query.connectorId, page };

    const attempt = async (): Promise<RawItem[]> => {
      let response = await this.#get(url.toString());
      if (response.status === 401) {
        // The token expired or was revoked early: one fresh token, then it is a real refusal.
        options.tokens.invalidate(response.token);
        response = await this.#get(url.toString());
      }
      if (response.json === undefined) {
        throw new PermanentError(statusReason(response.status), response.status);
      }
      const envelope = pageEnvelope.safeParse(response.json);
      if (!envelope.success) {
        throw new PermanentError('the page is not a session report list ({ items: [...] })');
      }
      const values = envelope.data.items;
      const texts = itemTexts(response.text);
      if (texts?.length !== values.length) {
        throw new PermanentError('the items of the page could not be told apart in its text');
      }
      return values.map((value, i) => ({ json: texts[i] as string, value }));
    };
    return withRetries(attempt, options, (error, attempts) => {
      if (
        error instanceof DepotApiError ||
        error instanceof CredentialsRefusedError ||
        error instanceof BodyTooLargeError ||
        error instanceof DeadlineReached
      )
        return error;
      const status = (error as { status?: number }).status;
      return new DepotApiError(target, status, attempts, (error as Error).message ?? String(error));
    });
  }

  async #get(url: string) {
    const token = await this.options.tokens.get();
    const request = () =>
      requestJson(this.options.fetch, {
        url,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        timeoutMs: this.options.timeoutMs,
        maxBodyBytes: this.options.maxBodyBytes ?? 64 * 1024 * 1024,
        ...(this.options.deadlineSignal ? { deadline: this.options.deadlineSignal } : {}),
      });
    const response = await (this.options.gate ? this.options.gate.run(request) : request());
    return { ...response, token };
  }
}

/**
 * A smaller page size that still lands on `offset` (page numbers count in page sizes), at
 * least the API's minimum; undefined when there is none.
 */
function smallerLimit(limit: number, offset: number): number | undefined {
  for (let size = Math.floor(limit / 2); size >= MIN_PAGE_SIZE; size--) {
    if (offset % size === 0) return size;
  }
  return undefined;
}

function pageDigest(items: readonly RawItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(item.json).update('\u0000');
  return hash.digest('hex');
}

function statusReason(status: number): string {
  if (status >= 300 && status < 400)
    return 'the API answered with a redirect, which is not followed (the access token would go along); check api.baseUrl';
  if (status === 401) return 'the API rejected a freshly issued access token';
  if (status === 403)
    return 'access to this charger or connector is forbidden for these credentials';
  if (status === 404) return 'charger or connector not found';
  if (status === 400) return 'the API rejected the request parameters';
  return 'unexpected response status';
}

/**
 * The body cap for one page: pages in flight (one per connector scanned at once) may use half
 * of the function's memory, and a page costs about six times its size while it is held as
 * text, parsed and sliced. Between 1 MiB and 64 MiB.
 */
export function pageBodyCapBytes(memoryMb: number, concurrency: number): number {
  const MiB = 1024 * 1024;
  const share = (memoryMb * MiB) / 2 / Math.max(1, concurrency) / 6;
  return Math.floor(Math.min(64 * MiB, Math.max(1 * MiB, share)));
}
