import type { Finding } from '../finding.ts';
import { chargedSuccessfully, type SessionFacts } from '../session-facts.ts';
import type { ReportOrigin } from '../session-report.ts';

/** One session as the daily rollup counts it. */
export interface KpiSession {
  /** Session id and UTC day, as the incident engine keys it: counting it twice is impossible. */
  key: string;
  origin: ReportOrigin;
  facts: SessionFacts;
  /** The severity of each finding (the rest of a finding is not needed to count it). */
  findings: readonly Pick<Finding, 'severity'>[];
}

/**
 * One connector's day (UTC, by session start): the row of `daily_connector_kpis` in Athena and
 * of `depot-watch kpis`.
 */
export interface DailyConnectorKpi {
  date: string;
  chargerId: string;
  connectorId: string;
  sessions: number;
  /** Sessions that reached the target SoC with no critical finding (see `chargedSuccessfully`). */
  successfulSessions: number;
  /** Sessions with no finding at all. */
  faultFreeSessions: number;
  /** successfulSessions / sessions, 0–1. */
  chargingSuccessRate: number;
  /** faultFreeSessions / sessions, 0–1. */
  faultFreeRate: number;
  /** energyDeliveredWh in kWh, rounded to 0.1. */
  energyDeliveredKwh: number;
  /** The exact sum (Wh) the kWh figure is rounded from, so adding sessions never adds rounding. */
  energyDeliveredWh: number;
  /** Mean converter efficiency over the sessions that could be judged; null when none could. */
  meanEfficiencyPercent: number | null;
  efficiencySessions: number;
  /** The sum the mean is taken from, so a later session joins the mean exactly. */
  efficiencySumPercent: number;
  faultedMinutes: number;
  findings: number;
  criticalFindings: number;
  /** The sessions counted, so a re-read never counts one twice. */
  sessionKeys: string[];
}

/** Whether a text is a real UTC day, `YYYY-MM-DD`: the only form a KPI partition is named by. */
export function isKpiDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over into March; a day that does not round-trip is not a day.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/** Where one day's rows are kept under a state store, as Athena's `date` partition reads them. */
export function dailyKpisKey(day: string): string {
  if (!isKpiDay(day)) throw new Error(`a KPI day is YYYY-MM-DD, got "${day}"`);
  return `kpis/date=${day}/kpis.jsonl`;
}

/** One day's rows as JSON Lines, one row per line (what Athena's JSON SerDe reads). */
export function kpiRowsToJsonLines(rows: Iterable<DailyConnectorKpi>): string {
  return [...kpiJsonLines(rows)].join('');
}

/** `kpiRowsToJsonLines` a line at a time, for a partition too large to be one string. */
export function* kpiJsonLines(rows: Iterable<DailyConnectorKpi>): Generator<string> {
  for (const row of rows) yield `${JSON.stringify(row)}\n`;
}

/** Rows from JSON Lines; blank lines (a trailing newline) are skipped. */
export function kpiRowsFromJsonLines(text: string): DailyConnectorKpi[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DailyConnectorKpi);
}

/** The sessions grouped by the UTC day they are filed under (`facts.day`), in their order. */
export function kpiSessionsByDay(sessions: readonly KpiSession[]): Map<string, KpiSession[]> {
  const byDay = new Map<string, KpiSession[]>();
  for (const session of sessions) {
    const list = byDay.get(session.facts.day);
    if (list) list.push(session);
    else byDay.set(session.facts.day, [session]);
  }
  return byDay;
}

/**
 * Adds one day's sessions to its rows: pure. Sessions of other days, and sessions already
 * counted on their connector's row, are left out, so re-reading a window never counts twice.
 * Returns the very array it was given when nothing changed, so the caller can skip the write.
 */
export function rollUpDay(
  rows: readonly DailyConnectorKpi[],
  day: string,
  sessions: readonly KpiSession[],
): DailyConnectorKpi[] {
  const byConnector = new Map(rows.map((row) => [connectorKey(row), row]));
  let changed = false;
  for (const [key, list] of kpiSessionsByConnector(sessions)) {
    const row = rolledUpRow(byConnector.get(key), day, (list[0] as KpiSession).origin, list);
    if (!row) continue;
    byConnector.set(key, row);
    changed = true;
  }
  if (!changed) return rows as DailyConnectorKpi[];
  return inConnectorOrder(byConnector.values());
}

/** Sessions by connector (`chargerId` U+001F `connectorId`), each connector's in their order. */
export function kpiSessionsByConnector(sessions: readonly KpiSession[]): Map<string, KpiSession[]> {
  const byConnector = new Map<string, KpiSession[]>();
  for (const session of sessions) {
    const key = connectorKey(session.origin);
    const list = byConnector.get(key);
    if (list) list.push(session);
    else byConnector.set(key, [session]);
  }
  return byConnector;
}

/**
 * One connector's row of a day with its sessions of that day added, each once: undefined when
 * none was new, the row then left as it was. Pure: `row` is copied before it changes.
 */
export function rolledUpRow(
  row: DailyConnectorKpi | undefined,
  day: string,
  origin: ReportOrigin,
  sessions: readonly KpiSession[],
): DailyConnectorKpi | undefined {
  let next: DailyConnectorKpi | undefined;
  for (const session of sessions) {
    if (session.facts.day !== day || (next ?? row)?.sessionKeys.includes(session.key)) continue;
    next ??= row
      ? { ...row, sessionKeys: [...row.sessionKeys] }
      : emptyRow(day, origin.chargerId, origin.connectorId);
    addSession(next, session);
  }
  return next && recomputed(next);
}

/** Compares two rows' connectors, charger first, by UTF-16 code units: the order a day's rows are kept in. */
export function connectorOrder(
  a: { chargerId: string; connectorId: string },
  b: { chargerId: string; connectorId: string },
): number {
  return codeUnitOrder(a.chargerId, b.chargerId) || codeUnitOrder(a.connectorId, b.connectorId);
}

function inConnectorOrder(rows: Iterable<DailyConnectorKpi>): DailyConnectorKpi[] {
  return [...rows].sort(connectorOrder);
}

/** A whole fleet's figures over some rows, for the total line of `depot-watch kpis`. */
export interface FleetKpiTotals {
  sessions: number;
  successfulSessions: number;
  faultFreeSessions: number;
  /** null when there were no sessions. */
  chargingSuccessRate: number | null;
  /** null when there were no sessions. */
  faultFreeRate: number | null;
  energyDeliveredKwh: number;
  /** Mean over every judged session (rows weighted by their efficiencySessions); null when none. */
  meanEfficiencyPercent: number | null;
  efficiencySessions: number;
  faultedMinutes: number;
  findings: number;
  criticalFindings: number;
}

/** Adds rows up: counts and sums, then rates and the mean from the sums (never means of means). */
export function fleetTotals(rows: readonly DailyConnectorKpi[]): FleetKpiTotals {
  let wh = 0;
  let efficiencySum = 0;
  let faulted = 0;
  const totals = {
    sessions: 0,
    successfulSessions: 0,
    faultFreeSessions: 0,
    efficiencySessions: 0,
    findings: 0,
    criticalFindings: 0,
  };
  for (const row of rows) {
    totals.sessions += row.sessions;
    totals.successfulSessions += row.successfulSessions;
    totals.faultFreeSessions += row.faultFreeSessions;
    totals.efficiencySessions += row.efficiencySessions;
    totals.findings += row.findings;
    totals.criticalFindings += row.criticalFindings;
    wh += row.energyDeliveredWh;
    efficiencySum += row.efficiencySumPercent;
    faulted += row.faultedMinutes;
  }
  return {
    ...totals,
    chargingSuccessRate: totals.sessions ? rate(totals.successfulSessions, totals.sessions) : null,
    faultFreeRate: totals.sessions ? rate(totals.faultFreeSessions, totals.sessions) : null,
    energyDeliveredKwh: round(wh / 1000, 1),
    meanEfficiencyPercent: totals.efficiencySessions
      ? round(efficiencySum / totals.efficiencySessions, 2)
      : null,
    faultedMinutes: round(faulted, 2),
  };
}

/** A connector's day with nothing counted yet. */
export function emptyRow(date: string, chargerId: string, connectorId: string): DailyConnectorKpi {
  return {
    date,
    chargerId,
    connectorId,
    sessions: 0,
    successfulSessions: 0,
    faultFreeSessions: 0,
    chargingSuccessRate: 0,
    faultFreeRate: 0,
    energyDeliveredKwh: 0,
    energyDeliveredWh: 0,
    meanEfficiencyPercent: null,
    efficiencySessions: 0,
    efficiencySumPercent: 0,
    faultedMinutes: 0,
    findings: 0,
    criticalFindings: 0,
    sessionKeys: [],
  };
}

/** Counts one session into a row copy (sums only; `recomputed` derives the rest). */
function addSession(row: DailyConnectorKpi, { key, facts, findings }: KpiSession): void {
  row.sessions++;
  if (chargedSuccessfully(facts, findings)) row.successfulSessions++;
  if (findings.length === 0) row.faultFreeSessions++;
  row.energyDeliveredWh += facts.deliveredWh ?? 0;
  if (facts.efficiencyPercent !== undefined) {
    row.efficiencySessions++;
    row.efficiencySumPercent += facts.efficiencyPercent;
  }
  row.faultedMinutes += facts.faultedMinutes;
  row.findings += findings.length;
  row.criticalFindings += findings.filter((f) => f.severity === 'critical').length;
  row.sessionKeys.push(key);
}

/** The derived figures of a row, from its counts and sums; sums rounded only against float dust. */
function recomputed(row: DailyConnectorKpi): DailyConnectorKpi {
  const efficiencySumPercent = round(row.efficiencySumPercent, 6);
  return {
    ...row,
    chargingSuccessRate: rate(row.successfulSessions, row.sessions),
    faultFreeRate: rate(row.faultFreeSessions, row.sessions),
    energyDeliveredWh: round(row.energyDeliveredWh, 3),
    energyDeliveredKwh: round(row.energyDeliveredWh / 1000, 1),
    efficiencySumPercent,
    meanEfficiencyPercent: row.efficiencySessions
      ? round(efficiencySumPercent / row.efficiencySessions, 2)
      : null,
    faultedMinutes: round(row.faultedMinutes, 2),
  };
}

/** A share 0–1 to four decimals (0.6667): enough for a percentage with two. */
function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : round(part / whole, 4);
}

function round(n: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(n * factor) / factor;
}

function connectorKey({ chargerId, connectorId }: { chargerId: string; connectorId: string }) {
  return `${chargerId}\u001f${connectorId}`;
}

/** Plain UTF-16 code-unit order, as Athena and `sort` see the ids; never the locale's. */
function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
