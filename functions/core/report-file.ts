import { originFromKey } from './archive-layout.ts';
import type { ReportOrigin } from './session-report.ts';

/** One raw report read from a saved file, with where it came from. */
export interface SavedReport {
  origin: ReportOrigin;
  raw: unknown;
}

const UNKNOWN = 'unknown';

/**
 * The reports in one saved JSON document: a single report, an array of reports, or an API
 * page `{ items: [...] }`. The charger and connector come from the page envelope, else from
 * the archive path (`charger=.../connector=...`), else from the report itself.
 */
export function reportsInDocument(document: unknown, path: string): SavedReport[] {
  const fromPath = originFromKey(path);
  if (Array.isArray(document))
    return document.map((raw) => ({ origin: originOf(raw, fromPath), raw }));
  if (isObject(document) && Array.isArray(document.items)) {
    const envelope = {
      chargerId: stringOr(document.ChargerID, fromPath?.chargerId),
      connectorId: stringOr(document.ConnectorID, fromPath?.connectorId),
    };
    return document.items.map((raw: unknown) => ({ origin: originOf(raw, envelope), raw }));
  }
  return [{ origin: originOf(document, fromPath), raw: document }];
}

function originOf(raw: unknown, known: Partial<ReportOrigin> | undefined): ReportOrigin {
  const own = isObject(raw) ? raw : {};
  return {
    chargerId: known?.chargerId ?? stringOr(own.chargerId ?? own.ChargerID, UNKNOWN) ?? UNKNOWN,
    connectorId:
      known?.connectorId ?? stringOr(own.connectorId ?? own.ConnectorID, UNKNOWN) ?? UNKNOWN,
  };
}

function stringOr(value: unknown, fallback: string | undefined): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
