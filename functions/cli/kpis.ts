import { existsSync } from 'node:fs';
import { ConfigError } from '../config/config.ts';
import { evaluateReport } from '../core/evaluate.ts';
import { type KpiSession, kpiSessionsByDay, rollUpDay } from '../core/fleet/daily-kpis.ts';
import { reportsInDocument } from '../core/report-file.ts';
import { sessionFacts } from '../core/session-facts.ts';
import { validateSessionReport } from '../core/session-report.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import type { DepotKpiRow } from '../health-report/model/report-input.ts';
import type { StateStore } from '../scan/ports.ts';
import { checkDayFlags, type DayFlags } from './day-flags.ts';
import { depotKpiRows, depotOfPath } from './depot-kpis.ts';
import { formatKpiTable } from './kpi-table.ts';
import { savedDocuments } from './saved-documents.ts';

/** Days inclusive, `YYYY-MM-DD`; either end left out is open (only with `--archive`). */
export interface KpiPeriod {
  from?: string;
  to?: string;
}

/** Where `depot-watch kpis` reads: the rows the scan keeps, or reports to roll up afresh. */
export type KpiSource =
  | { state: Pick<StateStore, 'loadDailyKpis'>; location: string }
  | { archive: readonly string[]; thresholds: ThresholdBook };

/** Options of `depot-watch kpis`. */
export interface KpisCommand {
  source: KpiSource;
  period: KpiPeriod;
  json: boolean;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/** Days the state is read for at most: one object per day, so a typo never reads ten years. */
const MAX_STATE_DAYS = 366;
const DAY_MS = 86_400_000;

/**
 * The period `kpis` reports on, checked: the flags given, else the last 7 UTC days including
 * today when reading the state; with `--archive`, ends not given stay open (every day the
 * reports cover), as an archive is usually older than a week.
 */
export function kpiPeriod(flags: DayFlags, now: number, fromArchive: boolean): KpiPeriod {
  checkDayFlags(flags);
  if (fromArchive)
    return {
      ...(flags.from !== undefined ? { from: flags.from } : {}),
      ...(flags.to !== undefined ? { to: flags.to } : {}),
    };
  const to = flags.to ?? dayOf(now);
  const from = flags.from ?? dayOf(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS);
  if (from > to) throw new ConfigError(`--from ${from} is after today (${to}); give --to as well`);
  if (daysIn(from, to).length > MAX_STATE_DAYS)
    throw new ConfigError(`a period reads at most ${MAX_STATE_DAYS} days; shorten --from/--to`);
  return { from, to };
}

/**
 * Prints the daily KPI rows of a period, one line per connector and day, and the fleet's
 * total; `--json` prints one row per line. Rows of a named depot (its `depot=<name>` state
 * folder or archive partition) name it. Exit 1 when nothing could be read at all.
 */
export async function runKpis(command: KpisCommand): Promise<number> {
  const { source, period } = command;
  let rows: DepotKpiRow[];
  let from: string;
  if ('state' in source) {
    // A state folder that is not there is a wrong path or a depot never scanned, not a quiet week.
    if (!source.location.startsWith('s3://') && !existsSync(source.location)) {
      command.writeError(`depot-watch: no state at ${source.location}; run a scan first\n`);
      return 1;
    }
    const days = daysIn(period.from as string, period.to as string);
    rows = await depotKpiRows(source.state, source.location, days);
    from = `the state at ${source.location}`;
  } else {
    const read = await archivedSessions(source.archive, source.thresholds, command.writeError);
    if (read.reports === 0) {
      command.writeError(
        `depot-watch: no valid session report in ${source.archive.join(', ')} (${read.files} file(s) read)\n`,
      );
      return 1;
    }
    rows = [];
    // A depot's sessions are rolled up apart: two depots may both have an HPC-001/1.
    for (const [depot, sessions] of [...read.sessions].sort(byKey))
      for (const [day, daySessions] of [...kpiSessionsByDay(sessions)].sort(byKey))
        if (inPeriod(day, period))
          for (const row of rollUpDay([], day, daySessions))
            rows.push(depot === '' ? row : { depot, ...row });
    from = `${read.reports} report(s) in ${source.archive.join(', ')}`;
  }
  rows.sort(
    (a, b) =>
      order(a.date, b.date) ||
      order(a.depot ?? '', b.depot ?? '') ||
      order(a.chargerId, b.chargerId) ||
      order(a.connectorId, b.connectorId),
  );
  if (command.json) {
    for (const { sessionKeys: _, ...row } of rows) command.write(`${JSON.stringify(row)}\n`);
    return 0;
  }
  command.write(formatKpiTable(rows, describePeriod(period, rows), from));
  return 0;
}

/**
 * The sessions of the valid reports under some paths, each once, as the scan would count them;
 * by depot (its archive partition, `''` for one fleet's archive).
 */
async function archivedSessions(
  paths: readonly string[],
  thresholds: ThresholdBook,
  writeError: (text: string) => void,
): Promise<{ sessions: Map<string, KpiSession[]>; reports: number; files: number }> {
  const sessions = new Map<string, KpiSession[]>();
  let reports = 0;
  let files = 0;
  for await (const { name, read } of savedDocuments(paths)) {
    files++;
    let document: unknown;
    try {
      document = JSON.parse(await read());
    } catch (error) {
      writeError(`skipped ${name}: not valid JSON (${(error as Error).message})\n`);
      continue;
    }
    for (const { origin, raw } of reportsInDocument(document, name)) {
      const validation = validateSessionReport(raw);
      if (!validation.ok) {
        writeError(`invalid report in ${name}: ${validation.reason}\n`);
        continue;
      }
      const { report, sessionDate } = validation;
      const t = thresholds.for(origin);
      const { findings } = evaluateReport(report, t, origin);
      const targetSoc = t['soc-shortfall']?.targetSocPercent as number;
      const depot = depotOfPath(name) ?? '';
      const list = sessions.get(depot) ?? [];
      sessions.set(depot, list);
      reports++;
      list.push({
        key: `${String(report.sessionId)}@${sessionDate}`,
        origin,
        facts: sessionFacts(report, sessionDate, targetSoc),
        findings,
      });
    }
  }
  return { sessions, reports, files };
}

function describePeriod(period: KpiPeriod, rows: readonly DepotKpiRow[]): string {
  const from = period.from ?? rows[0]?.date;
  const to = period.to ?? rows.at(-1)?.date;
  return from === undefined ? '(every day)' : `${from} to ${to}`;
}

/** Every UTC day from one to another, both included. */
function daysIn(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); dayOf(ms) <= to; ms += DAY_MS)
    days.push(dayOf(ms));
  return days;
}

function inPeriod(day: string, { from, to }: KpiPeriod): boolean {
  return (from === undefined || day >= from) && (to === undefined || day <= to);
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function byKey<T>([a]: [string, T], [b]: [string, T]): number {
  return order(a, b);
}

/** Code-unit order, as the rollup sorts: ids print the same here and in Athena. */
function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
