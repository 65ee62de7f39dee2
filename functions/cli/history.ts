import type { HistoricSession } from '../core/backtest/backtest.ts';
import { judgeSession } from '../core/judge-session.ts';
import { reportsInDocument } from '../core/report-file.ts';
import { validateSessionReport } from '../core/session-report.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import { savedDocuments } from './saved-documents.ts';
import type { WorkTracker } from './work-progress.ts';

/** Saved reports judged by the rules, ready for a backtest; with what could not be read. */
export interface JudgedHistory {
  sessions: HistoricSession[];
  files: number;
  invalid: number;
  /** State files (cursors, incidents, …) left out of a whole `.depot-watch` folder. */
  stateFiles: number;
}

/**
 * Reads saved reports (files, folders, `s3://` prefixes, as `replay` does) and runs the rules
 * over each, once per charger, connector and session however often a session was saved.
 */
export async function judgedHistory(
  paths: readonly string[],
  thresholds: ThresholdBook,
  writeError: (text: string) => void,
  progress?: WorkTracker,
): Promise<JudgedHistory> {
  const seen = new Set<string>();
  const history: JudgedHistory = { sessions: [], files: 0, invalid: 0, stateFiles: 0 };
  const skipState = () => {
    history.stateFiles++;
  };
  progress?.step('reading');
  for await (const { name, read } of savedDocuments(paths, skipState)) {
    history.files++;
    progress?.add('files');
    let text: string;
    try {
      text = await read();
    } catch (error) {
      // One unreadable file (permissions, say) must not stop the rest of the backtest.
      history.invalid++;
      writeError(`${(error as Error).message}; skipped\n`);
      continue;
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      history.invalid++;
      writeError(`skipped ${name}: not valid JSON\n`);
      continue;
    }
    for (const { origin, raw } of reportsInDocument(document, name)) {
      progress?.add('reports');
      const validation = validateSessionReport(raw);
      if (!validation.ok) {
        history.invalid++;
        continue;
      }
      const { report, sessionDate } = validation;
      const key = `${String(report.sessionId)}@${sessionDate}`;
      const unique = `${origin.chargerId}\u001f${origin.connectorId}\u001f${key}`;
      if (seen.has(unique)) continue;
      seen.add(unique);
      const { session } = judgeSession(report, sessionDate, thresholds.for(origin), origin);
      history.sessions.push({ origin, session });
    }
  }
  return history;
}
