import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadReportInput, type ReportRequest } from './load-report-input.ts';
import type { HeadlineKpi } from './model/health-report-model.ts';
import { headlineKpis } from './model/kpi-sections.ts';
import type { HealthReportInput, ReportSources } from './model/report-input.ts';

/** A health report written to a file. */
export interface WrittenReport {
  /** The file written, absolute. */
  path: string;
  input: HealthReportInput;
  /** The headline figures, as the page shows them. */
  headline: HeadlineKpi[];
}

/**
 * Reads a report's input from its sources, renders the page and writes it to `out` (its folder
 * made if need be): what `depot-watch report` and the demo both do.
 */
export async function writeHealthReport(
  sources: ReportSources,
  request: ReportRequest,
  out: string,
  /** Told each step as it starts, for a person watching. */
  onStep?: (step: string) => void,
): Promise<WrittenReport> {
  onStep?.('reading KPI rows, incidents and notices');
  const input = await loadReportInput(sources, request);
  onStep?.('drawing the charts');
  // Loaded here, not at the top: vega is heavy, and every CLI command (and the demo) imports
  // this module; only writing a report should pay for it.
  const { renderHealthReport } = await import('./html/render-report.ts');
  const html = await renderHealthReport(input);
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html);
  return { path, input, headline: headlineKpis(input) };
}
