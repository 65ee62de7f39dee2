import type { Finding } from './finding.ts';
import { RULES } from './rules/registry.ts';
import type { ReportOrigin, SessionReport } from './session-report.ts';
import type { Thresholds } from './thresholds.ts';

/** Findings of one report, plus any rule that failed on it (a bug, never a lost run). */
export interface Evaluation {
  findings: Finding[];
  ruleErrors: { rule: string; error: string }[];
}

/** Runs every enabled rule over one validated report. */
export function evaluateReport(
  report: SessionReport,
  thresholds: Thresholds,
  origin: ReportOrigin,
): Evaluation {
  const findings: Finding[] = [];
  const ruleErrors: Evaluation['ruleErrors'] = [];
  for (const rule of RULES) {
    const t = thresholds[rule.id];
    if (!t?.enabled) continue;
    try {
      // Most rules find nothing in most reports: no spreading an empty list into the rest.
      for (const found of rule.evaluate(report, t, origin)) findings.push(found);
    } catch (error) {
      ruleErrors.push({
        rule: rule.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { findings, ruleErrors };
}
