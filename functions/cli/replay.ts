import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findingAsText } from '../core/alert-text.ts';
import { evaluateReport } from '../core/evaluate.ts';
import { reportsInDocument } from '../core/report-file.ts';
import { validateSessionReport } from '../core/session-report.ts';
import type { ThresholdBook } from '../core/thresholds.ts';

/** Options of `depot-watch replay`. */
export interface ReplayOptions {
  paths: string[];
  thresholds: ThresholdBook;
  json: boolean;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/**
 * Runs the rules over saved or archived reports and prints the findings. Nothing is
 * published and nothing is written: this is how thresholds are tuned on past data.
 */
export async function runReplay(options: ReplayOptions): Promise<number> {
  let reports = 0;
  let invalid = 0;
  const byRule: Record<string, number> = {};
  const files = await jsonFilesIn(options.paths);
  for (const file of files) {
    let document: unknown;
    try {
      document = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      invalid++;
      options.writeError(`skipped ${file}: not valid JSON (${(error as Error).message})\n`);
      continue;
    }
    for (const { origin, raw } of reportsInDocument(document, file)) {
      reports++;
      const validation = validateSessionReport(raw);
      if (!validation.ok) {
        invalid++;
        options.writeError(`invalid report in ${file}: ${validation.reason}\n`);
        continue;
      }
      const { findings } = evaluateReport(
        validation.report,
        options.thresholds.for(origin),
        origin,
      );
      for (const finding of findings) {
        byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
        options.write(
          options.json ? `${JSON.stringify(finding)}\n` : `${findingAsText(finding)}\n\n`,
        );
      }
    }
  }
  const total = Object.values(byRule).reduce((a, b) => a + b, 0);
  const perRule = Object.entries(byRule)
    .map(([rule, count]) => `${rule} ${count}`)
    .join(', ');
  const summary = `Replayed ${reports} report(s) from ${files.length} file(s): ${invalid} invalid, ${total} finding(s)${perRule ? ` (${perRule})` : ''}\n`;
  (options.json ? options.writeError : options.write)(summary);
  return 0;
}

/** Every `.json` file under the given files and folders, skipping quarantine reason files. */
async function jsonFilesIn(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isFile()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (entry.isFile() && entry.name.endsWith('.json') && !entry.name.endsWith('.reason.json')) {
        files.push(join(entry.parentPath, entry.name));
      }
    }
  }
  return files.sort();
}
