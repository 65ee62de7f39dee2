import { backtest } from '../core/incidents/backtest.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import { EVENT_LABEL } from '../core/incidents/notice-text.ts';
import type { SilencedAt } from '../core/incidents/notices.ts';
import type { IncidentSettingsBook } from '../core/incidents/settings.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import { judgedHistory } from './history.ts';
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
  if (command.json) {
    for (const notice of result.notices) command.write(`${JSON.stringify(publicNotice(notice))}\n`);
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
  if (!command.quiet) command.write(`\n${weeklyTable(findings, result.notices)}`);
  return 0;
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
    title: notice.title,
  };
}

function timelineLine(notice: IncidentNotification): string {
  const when = notice.at.slice(0, 16).replace('T', ' ');
  return [
    when,
    EVENT_LABEL[notice.event].padEnd(10),
    notice.severity.padEnd(8),
    `${notice.chargerId}/${notice.connectorId}`.padEnd(12),
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
