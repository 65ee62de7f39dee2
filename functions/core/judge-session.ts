import { type Evaluation, evaluateReport } from './evaluate.ts';
import type { JudgedSession } from './incidents/incident.ts';
import { sessionFacts } from './session-facts.ts';
import { type ReportOrigin, type SessionReport, sessionEndOf } from './session-report.ts';
import type { Thresholds } from './thresholds.ts';
import { plainText } from './vendor-text.ts';

/** The state of charge a session must reach to count as a successful charge, unless configured. */
const DEFAULT_TARGET_SOC = 80;

/**
 * Runs the rules over one validated report and gives the session as the incident engine,
 * drift and the daily KPIs see it. The scan, replay and backtest all judge sessions here.
 */
export function judgeSession(
  report: SessionReport,
  sessionDate: string,
  thresholds: Thresholds,
  origin: ReportOrigin,
): { session: JudgedSession; ruleErrors: Evaluation['ruleErrors'] } {
  const { findings, ruleErrors } = evaluateReport(report, thresholds, origin);
  const target = thresholds['soc-shortfall']?.targetSocPercent;
  const facts = sessionFacts(
    report,
    sessionDate,
    typeof target === 'number' ? target : DEFAULT_TARGET_SOC,
  );
  const sessionId = String(report.sessionId);
  const key = `${sessionId}@${sessionDate}`;
  const at = sessionEndOf(report);
  // Vehicle ids reach messages and the fleet's tabulation: vendor text, cleared once here.
  // Two literals rather than a spread: one object per session, its fields in the same order.
  const session: JudgedSession =
    report.vehicleId === undefined
      ? { key, sessionId, at, findings, facts }
      : { key, sessionId, at, vehicleId: plainText(report.vehicleId, 128), findings, facts };
  return { session, ruleErrors };
}
