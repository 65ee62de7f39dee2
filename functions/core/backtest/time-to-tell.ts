import type { Severity } from '../finding.ts';
import { type IncidentNotification, TELLING_EVENTS } from '../incidents/incident.ts';
import type { HistoricSession } from './backtest.ts';

/** How soon one finding was told: from its session's end to the first notice that cites it. */
export interface Telling {
  rule: string;
  severity: Severity;
  chargerId: string;
  connectorId: string;
  sessionId: string;
  endedAt: string;
  /** When the first notice that tells it went out; absent when none did. */
  toldAt?: string;
  minutes?: number;
}

/** One row of the time-to-tell table: a rule at a severity. */
export interface TimeToTellRow {
  rule: string;
  severity: Severity;
  findings: number;
  told: number;
  medianMinutes?: number;
  p95Minutes?: number;
  maxMinutes?: number;
}

/**
 * For every finding of a replayed history, the first notice that told it — one that cites its
 * session (or the connector incident it joined) with its rule — and how long after the session
 * ended. Warnings may wait for their confirmation; a critical finding should never wait past
 * the first scan after its report arrived.
 */
export function timeToTell(
  history: readonly HistoricSession[],
  notices: readonly IncidentNotification[],
): Telling[] {
  const bySession = new Map<string, IncidentNotification[]>();
  for (const notice of notices) {
    if (!TELLING_EVENTS.includes(notice.event)) continue;
    const cited = [...notice.sessionIds, ...(notice.explains ?? []).flatMap((e) => e.sessionIds)];
    for (const id of new Set(cited)) bySession.set(id, [...(bySession.get(id) ?? []), notice]);
  }
  const tellings: Telling[] = [];
  for (const { origin, session } of history) {
    const worst = new Map<string, Severity>();
    for (const f of session.findings)
      if (worst.get(f.rule) !== 'critical') worst.set(f.rule, f.severity);
    for (const [rule, severity] of worst) {
      const told = (bySession.get(session.sessionId) ?? []).find(
        (n) =>
          (n.rule === rule || n.context.some((c) => c.rule === rule)) &&
          (n.subject !== 'connector' ||
            (n.chargerId === origin.chargerId && n.connectorId === origin.connectorId)),
      );
      tellings.push({
        rule,
        severity,
        ...origin,
        sessionId: session.sessionId,
        endedAt: session.at,
        ...(told
          ? {
              toldAt: told.at,
              minutes: Math.round((Date.parse(told.at) - Date.parse(session.at)) / 60_000),
            }
          : {}),
      });
    }
  }
  return tellings;
}

/** The tellings per rule and severity: how many were told, and the median, 95th percentile and longest wait. */
export function timeToTellTable(tellings: readonly Telling[]): TimeToTellRow[] {
  const groups = new Map<string, Telling[]>();
  for (const t of tellings) {
    const key = `${t.rule}\u001f${t.severity}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()]
    .map((group) => {
      const first = group[0] as Telling;
      const waits = group.flatMap((t) => (t.minutes === undefined ? [] : [t.minutes]));
      waits.sort((a, b) => a - b);
      return {
        rule: first.rule,
        severity: first.severity,
        findings: group.length,
        told: waits.length,
        ...(waits.length > 0
          ? {
              medianMinutes: quantile(waits, 0.5),
              p95Minutes: quantile(waits, 0.95),
              maxMinutes: waits.at(-1) as number,
            }
          : {}),
      };
    })
    .sort((a, b) => a.rule.localeCompare(b.rule) || a.severity.localeCompare(b.severity));
}

/** The critical findings told later than one scan interval after their session ended, or never. */
export function lateCritical(tellings: readonly Telling[], everyMinutes: number): Telling[] {
  return tellings.filter(
    (t) => t.severity === 'critical' && (t.minutes === undefined || t.minutes > everyMinutes),
  );
}

/** The nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
