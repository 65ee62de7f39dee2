import { backtest } from '../core/backtest/backtest.ts';
import {
  lateCritical,
  type Telling,
  timeToTell,
  timeToTellTable,
} from '../core/backtest/time-to-tell.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { EVENT_LABEL } from '../core/incidents/notice-text.ts';
import type { SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettingsBook } from '../core/incidents/settings.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import { judgedHistory } from './history.ts';
import { whereOf } from './incident-where.ts';
import { noValidReports } from './saved-documents.ts';
import type { WorkTracker } from './work-progress.ts';

/** Options of `depot-watch backtest`. */
export interface BacktestCommand {
  paths: string[];
  thresholds: ThresholdBook;
  incidents: IncidentSettingsBook;
  silenced?: SilencedAt;
  everyMinutes: number;
  json: boolean;
  /** The notices and errors only: no header, no weekly table. */
  quiet?: boolean;
  /** Told what has been read and what runs now, for a person watching. Default: none. */
  progress?: WorkTracker;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/**
 * Replays saved reports as scheduled scans and prints every notice the config would have
 * sent: a timeline, then notices against findings per rule and week — the number that says
 * whether a threshold or incident setting makes the channel livable.
 */
export async function runBacktest(command: BacktestCommand): Promise<number> {
  const history = await judgedHistory(
    command.paths,
    command.thresholds,
    command.writeError,
    command.progress,
  );
  if (history.sessions.length === 0) {
    // As `replay` and `kpis` do: nothing could be read is a failed run, not a usage error.
    command.writeError(`depot-watch: ${noValidReports(command.paths, history)}\n`);
    return 1;
  }
  command.progress?.step(
    `running the incident engine over ${history.sessions.length.toLocaleString('en-US')} sessions`,
  );
  const result = backtest(history.sessions, {
    everyMinutes: command.everyMinutes,
    settingsFor: (origin) => command.incidents.for(origin),
    site: command.incidents.site(),
    ...(command.silenced ? { silenced: command.silenced } : {}),
  });
  // The notices follow: the progress line must be gone before them.
  command.progress?.finish();
  const tellings = timeToTell(history.sessions, result.notices);
  if (command.json) {
    const waited = waitsOf(tellings);
    for (const notice of result.notices)
      command.write(`${JSON.stringify({ ...publicNotice(notice), ...waited(notice) })}\n`);
    return 0;
  }
  const findings = history.sessions.flatMap((s) =>
    s.session.findings.map((f) => ({ rule: f.rule, at: s.session.at })),
  );
  if (!command.quiet)
    command.write(
      `Backtest of ${history.sessions.length} session(s), ${findings.length} finding(s): ` +
        `${result.runs} run(s) every ${command.everyMinutes} min from ${result.firstRun} to ${result.lastRun}\n\n`,
    );
  for (const notice of result.notices) command.write(`${timelineLine(notice)}\n`);
  if (!command.quiet) {
    command.write(`\n${weeklyTable(findings, result.notices)}`);
    command.write(`\n${timeToTellText(tellings, command.everyMinutes)}`);
  }
  return 0;
}

/**
 * For `--json`: when each notice's reports were first fetched, and how long after its sessions
 * ended it first told them (the longest of those it was the first to tell).
 */
function waitsOf(tellings: readonly { sessionId: string; toldAt?: string; minutes?: number }[]) {
  const firstTold = new Map<string, number>();
  for (const t of tellings)
    if (t.toldAt !== undefined && t.minutes !== undefined) {
      const key = `${t.sessionId}\u001f${t.toldAt}`;
      firstTold.set(key, Math.max(firstTold.get(key) ?? 0, t.minutes));
    }
  return (notice: IncidentNotification) => {
    const waits = notice.sessionIds.flatMap((id) => {
      const minutes = firstTold.get(`${id}\u001f${notice.at}`);
      return minutes === undefined ? [] : [minutes];
    });
    return {
      ...(notice.firstSeenAt !== undefined ? { firstSeenAt: notice.firstSeenAt } : {}),
      ...(waits.length > 0 ? { timeToTellMinutes: Math.max(...waits) } : {}),
    };
  };
}

/** The time-to-tell table, and every critical finding told late or never. */
function timeToTellText(tellings: readonly Telling[], everyMinutes: number): string {
  const rows = timeToTellTable(tellings);
  const cell = (n: number | undefined) => (n === undefined ? '-' : String(n)).padStart(7);
  const width = Math.max('rule'.length, ...rows.map((r) => r.rule.length));
  const late = lateCritical(tellings, everyMinutes);
  return [
    "Time to tell, minutes from a session's end to the first notice that tells its finding:",
    `${'rule'.padEnd(width)}  severity  findings    told  median     p95     max`,
    ...rows.map(
      (r) =>
        `${r.rule.padEnd(width)}  ${r.severity.padEnd(8)}  ${String(r.findings).padStart(8)}  ${String(r.told).padStart(6)} ${cell(r.medianMinutes)} ${cell(r.p95Minutes)} ${cell(r.maxMinutes)}`,
    ),
    late.length === 0
      ? `No critical finding told later than one scan interval (${everyMinutes} min).`
      : `Critical findings told later than one scan interval (${everyMinutes} min) or never: ${late.length}`,
    ...late.map(
      (t) =>
        `  ${t.rule} ${t.chargerId}/${t.connectorId} session ${t.sessionId} ended ${t.endedAt}: ${t.toldAt ? `told ${t.minutes} min later` : 'never told'}`,
    ),
    '',
  ].join('\n');
}

/** The fields of a notice a bridge or a script relies on, as `backtest --json` prints them. */
function publicNotice(notice: IncidentNotification) {
  return {
    event: notice.event,
    incident: notice.incident,
    rule: notice.rule,
    subject: notice.subject,
    chargerId: notice.chargerId,
    connectorId: notice.connectorId,
    ...(notice.vehicleId !== undefined ? { vehicleId: notice.vehicleId } : {}),
    severity: notice.severity,
    at: notice.at,
    sessionIds: notice.sessionIds,
    ...(notice.explains ? { explains: notice.explains } : {}),
    title: notice.title,
  };
}

function timelineLine(notice: IncidentNotification): string {
  const when = notice.at.slice(0, 16).replace('T', ' ');
  return [
    when,
    EVENT_LABEL[notice.event].padEnd(10),
    notice.severity.padEnd(8),
    whereOf(notice).padEnd(12),
    notice.rule.padEnd(26),
    `${notice.incident}  sessions ${notice.sessionIds.join(', ')}`,
  ].join('  ');
}

/** Findings and notices per rule and ISO week, as `notices/findings` cells. */
function weeklyTable(
  findings: readonly { rule: string; at: string }[],
  notices: readonly IncidentNotification[],
): string {
  const cells = new Map<string, { findings: number; notices: number }>();
  const weeks = new Set<string>();
  const add = (rule: string, at: string, field: 'findings' | 'notices') => {
    const week = isoWeek(at);
    weeks.add(week);
    const key = `${rule}\u001f${week}`;
    const cell = cells.get(key) ?? { findings: 0, notices: 0 };
    cell[field]++;
    cells.set(key, cell);
  };
  for (const f of findings) add(f.rule, f.at, 'findings');
  for (const n of notices) add(n.rule, n.at, 'notices');
  const rules = [...new Set([...cells.keys()].map((k) => k.split('\u001f')[0] as string))].sort();
  const columns = [...weeks].sort();
  const width = Math.max('rule'.length, ...rules.map((r) => r.length));
  const lines = [
    'Notices / findings per rule and week:',
    `${'rule'.padEnd(width)}  ${columns.map((w) => w.padStart(9)).join('  ')}`,
    ...rules.map(
      (rule) =>
        `${rule.padEnd(width)}  ${columns
          .map((week) => {
            const cell = cells.get(`${rule}\u001f${week}`);
            return (cell ? `${cell.notices}/${cell.findings}` : '-').padStart(9);
          })
          .join('  ')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** `2026-W47` for a timestamp (ISO 8601 week, Monday first). */
function isoWeek(at: string): string {
  const date = new Date(at.slice(0, 10));
  const day = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - day + 3);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 4);
  const week = 1 + Math.round((date.getTime() - yearStart) / 604_800_000);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
