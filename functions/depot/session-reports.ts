import * as z from 'zod/mini';
import type { RawItem, ReportPage, ReportQuery } from '../scan/ports.ts';
import { CredentialsRefusedError, DepotApiError, PermanentError } from './errors.ts';
import { type Fetch, requestJson } from './http.ts';
import { type RetryPolicy, type Sleep, withRetries } from './retry.ts';
import type { AccessTokenProvider } from './token.ts';

export interface DepotClientOptions {
  /** e.g. `https://api.eu.depot.emobility.io`; the path `/v1/sessionReports` is appended. */
  baseUrl: string;
  tokens: AccessTokenProvider;
  /** Items per page, 10..2000 as the API documents. */
  pageSize: number;
  timeoutMs: number;
  policy: RetryPolicy;
  fetch: Fetch;
  sleep: Sleep;
  /** Pages larger than this are refused rather than buffered. Default: 64 MiB. */
  maxBodyBytes?: number;
  /** A connector with more pages than this in one window is an API that ignores `page`. */
  maxPages?: number;
  /** Called once per retried attempt, for metrics. */
  onRetry?: () => void;
}

/** One connector and a time window to read. */
export type SessionReportQuery = ReportQuery;

const pageEnvelope = z.looseObject({ items: z.array(z.unknown()) });

/**
 * Reads DepotFinity session reports page by page. The API has no paging metadata, so a page
 * shorter than the page size is the last. Each page is fetched with retries; a 401 gets one
 * fresh token before it counts as a failure.
 */
export class SessionReportsClient {
  constructor(private readonly options: DepotClientOptions) {}

  /** Yields the raw pages of one connector's window, in order. */
  async *pages(query: SessionReportQuery): AsyncGenerator<ReportPage> {
    const maxPages = this.options.maxPages ?? 10_000;
    let previous = '';
    for (let page = 1; page <= maxPages; page++) {
      const items = await this.#fetchPage(query, page);
      // An API that ignores `page` would hand back the same full page forever.
      const first = JSON.stringify(items[0] ?? null);
      if (page > 1 && items.length > 0 && first === previous) {
        throw new DepotApiError(
          { ...query, page },
          200,
          1,
          'the API returned the same page again; it seems to ignore the page parameter',
        );
      }
      previous = first;
      yield {
        page,
        items: items.map((value): RawItem => ({ json: JSON.stringify(value), value })),
      };
      if (items.length < this.options.pageSize) return;
    }
    throw new DepotApiError(
      { ...query, page: maxPages },
      undefined,
      1,
      `more than ${maxPages} full pages in one window; the API seems to ignore the page parameter`,
    );
  }

  async #fetchPage(query: SessionReportQuery, page: number): Promise<unknown[]> {
    const { options } = this;
    const url = new URL('/v1/sessionReports', options.baseUrl);
    url.search = new URLSearchParams({
      chargerId: query.chargerId,
      connectorId: query.connectorId,
      from: query.from,
      to: query.to,
      page: String(page),
      limit: String(options.pageSize),
    }).toString();
    const target = { chargerId: query.chargerId, connectorId: query.connectorId, page };

    const attempt = async (): Promise<unknown[]> => {
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
      return envelope.data.items;
    };
    return withRetries(attempt, options, (error, attempts) => {
      if (error instanceof DepotApiError || error instanceof CredentialsRefusedError) return error;
      const status = (error as { status?: number }).status;
      return new DepotApiError(target, status, attempts, (error as Error).message ?? String(error));
    });
  }

  async #get(url: string) {
    const token = await this.options.tokens.get();
    const response = await requestJson(this.options.fetch, {
      url,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      timeoutMs: this.options.timeoutMs,
      maxBodyBytes: this.options.maxBodyBytes ?? 64 * 1024 * 1024,
    });
    return { ...response, token };
  }
}

function statusReason(status: number): string {
  if (status === 401) return 'the API rejected a freshly issued access token';
  if (status === 403)
    return 'access to this charger or connector is forbidden for these credentials';
  if (status === 404) return 'charger or connector not found';
  if (status === 400) return 'the API rejected the request parameters';
  return 'unexpected response status';
}
