import { findingAsText } from '../core/alert-text.ts';
import { evaluateReport } from '../core/evaluate.ts';
import { reportsInDocument } from '../core/report-file.ts';
import { RULE_IDS } from '../core/rules/registry.ts';
import { validateSessionReport } from '../core/session-report.ts';
import type { ThresholdBook } from '../core/thresholds.ts';
import {
  noValidReports,
  type SkipReason,
  savedDocuments,
  skippedFiles,
} from './saved-documents.ts';
import type { WorkTracker } from './work-progress.ts';

/** Options of `depot-watch replay`. */
export interface ReplayOptions {
  paths: string[];
  thresholds: ThresholdBook;
  json: boolean;
  /**
   * Read the quarantine below the folders given too. Default: false, since its reports were
   * found invalid when scanned and would each say so again.
   */
  includeQuarantine?: boolean;
  /** Findings and errors only: no closing tally. */
  quiet?: boolean;
  /** Told what has been read, for a person watching. Default: none. */
  progress?: WorkTracker;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/** What a replay read and found, for the closing table. */
interface ReplayTally {
  files: number;
  reports: number;
  invalid: number;
  valid: number;
  /** State files (cursors, incidents, …) left out of a whole `.depot-watch` folder. */
  stateFiles: number;
  /** Quarantined reports left out of an archive folder. */
  quarantined: number;
  byCharger: Map<string, Map<string, number>>;
}

/**
 * Runs the rules over saved or archived reports (files, folders, `s3://` prefixes) and prints the findings, then a table of
 * findings per rule and charger. Nothing is published and nothing is written: this is how
 * thresholds are tuned on past data before they are deployed.
 */
export async function runReplay(options: ReplayOptions): Promise<number> {
  const tally: ReplayTally = {
    files: 0,
    reports: 0,
    invalid: 0,
    valid: 0,
    stateFiles: 0,
    quarantined: 0,
    byCharger: new Map(),
  };
  const skip = (_: string, why: SkipReason) => {
    if (why === 'state') tally.stateFiles++;
    else tally.quarantined++;
  };
  options.progress?.step('reading');
  const documents = savedDocuments(options.paths, skip, {
    skipQuarantine: options.includeQuarantine !== true,
  });
  for await (const { name: file, read } of documents) {
    tally.files++;
    options.progress?.add('files');
    let text: string;
    try {
      text = await read();
    } catch (error) {
      // One unreadable file (permissions, say) must not stop the rest of the replay.
      tally.invalid++;
      options.writeError(`${(error as Error).message}; skipped\n`);
      continue;
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      tally.invalid++;
      options.writeError(`skipped ${file}: not valid JSON (${(error as Error).message})\n`);
      continue;
    }
    for (const { origin, raw } of reportsInDocument(document, file)) {
      tally.reports++;
      options.progress?.add('reports');
      const validation = validateSessionReport(raw);
      if (!validation.ok) {
        tally.invalid++;
        options.writeError(`invalid report in ${file}: ${validation.reason}\n`);
        continue;
      }
      tally.valid++;
      const { findings } = evaluateReport(
        validation.report,
        options.thresholds.for(origin),
        origin,
      );
      for (const finding of findings) {
        const rules = tally.byCharger.get(origin.chargerId) ?? new Map<string, number>();
        rules.set(finding.rule, (rules.get(finding.rule) ?? 0) + 1);
        tally.byCharger.set(origin.chargerId, rules);
        options.write(
          options.json ? `${JSON.stringify(finding)}\n` : `${findingAsText(finding)}\n\n`,
        );
      }
    }
  }
  options.progress?.finish();
  // Nothing to judge is no tuning result: say why, and fail so a script notices.
  if (tally.valid === 0) {
    options.writeError(`depot-watch: ${noValidReports(options.paths, tally)}\n`);
    return 1;
  }
  if (!options.quiet) (options.json ? options.writeError : options.write)(formatTally(tally));
  return 0;
}

/** Findings per rule (rows) and charger (columns), with totals, as a plain-text table. */
function formatTally(tally: ReplayTally): string {
  const chargers = [...tally.byCharger.keys()].sort();
  const count = (rule: string, charger: string) => tally.byCharger.get(charger)?.get(rule) ?? 0;
  const ruleTotal = (rule: string) => chargers.reduce((sum, c) => sum + count(rule, c), 0);
  const total = RULE_IDS.reduce((sum, rule) => sum + ruleTotal(rule), 0);
  const skipped = skippedFiles(tally);
  const lines = [
    `Replayed ${tally.reports} report(s) from ${tally.files} file(s): ${tally.invalid} invalid, ${total} finding(s)${
      skipped ? `; ${skipped}` : ''
    }`,
  ];
  if (total === 0) return `${lines[0]}\n`;
  const width = Math.max(...RULE_IDS.map((r) => r.length), 'rule'.length);
  const columns = [...chargers, 'total'];
  const cell = (value: string | number, w: number) => String(value).padStart(w);
  const widths = columns.map((c) => Math.max(c.length, 5));
  lines.push(
    `${'rule'.padEnd(width)}  ${columns.map((c, i) => cell(c, widths[i] ?? 5)).join('  ')}`,
  );
  for (const rule of RULE_IDS) {
    const values = [...chargers.map((c) => count(rule, c)), ruleTotal(rule)];
    lines.push(
      `${rule.padEnd(width)}  ${values.map((v, i) => cell(v, widths[i] ?? 5)).join('  ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
