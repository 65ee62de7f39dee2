import { chargersNeedingAttention } from '../model/charger-attention.ts';
import { buildHealthReport, type HealthReport } from '../model/health-report.ts';
import type { HealthReportInput } from '../model/report-input.ts';
import {
  type ChartSpec,
  chartSvg,
  depotSessionsSpec,
  efficiencySpec,
  faultsByRuleSpec,
  sessionsSpec,
} from './charts.ts';
import { DEPOTS_CHART, depotsSection } from './depot-section.ts';
import { escapeHtml } from './html-escape.ts';
import {
  chargerChartNames,
  chargersSection,
  FAULTS_CHART,
  faultsSection,
  headlineSection,
  incidentSections,
  recurringSection,
  vehicleSection,
} from './html-sections.ts';
import { REPORT_CSS } from './report-css.ts';

/**
 * The weekly depot health report as one self-contained HTML page: inline CSS and SVG, no
 * script, nothing fetched, readable offline, on a phone and on paper.
 */
export async function renderHealthReport(input: HealthReportInput): Promise<string> {
  const report = buildHealthReport(input);
  const charts = await renderCharts(report);
  const title = `Depot health — ${report.depot}, ${report.period.from} – ${report.period.to}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title)}</h1>
<p class="muted">Made ${escapeHtml(report.generatedAt)} · days in UTC · raw reports in <code>${escapeHtml(report.archiveLocation)}</code></p></header>
${headlineSection(report)}
${withNewline(depotsSection(report, charts))}${chargersSection(report, charts)}
${faultsSection(report, charts)}
${recurringSection(report)}
${incidentSections(report)}
${vehicleSection(report)}
<footer class="muted"><p>Rates count sessions of the period: success = reached the target charge with no critical finding; fault-free = no finding at all. Efficiency is weighted by the sessions that could be judged. Every query above runs in Athena's <code>depot_watch</code> database.</p></footer>
</main>
</body>
</html>
`;
}

/** A section on a line of its own; nothing at all for one that is not there (one fleet's). */
function withNewline(html: string): string {
  return html === '' ? '' : `${html}\n`;
}

/** Every chart that has data, rendered to SVG, by its `data-chart` name. */
async function renderCharts(report: HealthReport): Promise<Map<string, string>> {
  const specs = new Map<string, ChartSpec>();
  for (const charger of chargersNeedingAttention(report.chargers)) {
    const names = chargerChartNames(charger.chargerId, charger.depot);
    if (charger.days.some((day) => day.efficiencyPercent !== null)) {
      specs.set(names.efficiency, efficiencySpec(charger));
    }
    if (charger.days.some((day) => day.sessions > 0)) {
      specs.set(names.sessions, sessionsSpec(charger));
    }
  }
  if (report.faultsByWeek.length > 0) specs.set(FAULTS_CHART, faultsByRuleSpec(report));
  if (report.depots.some((d) => d.days.some((day) => day.sessions > 0)))
    specs.set(DEPOTS_CHART, depotSessionsSpec(report));
  const rendered = await Promise.all(
    [...specs].map(async ([name, spec]) => [name, await chartSvg(spec)] as const),
  );
  return new Map(rendered);
}
