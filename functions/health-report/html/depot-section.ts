import type { HeadlineKpi, HealthReport } from '../model/health-report.ts';
import { escapeHtml } from './html-escape.ts';
import { chartFigure, note, section } from './html-parts.ts';
import type { ChartSvgs } from './html-sections.ts';

/** The `data-chart` name of the chart that sets the depots' sessions side by side. */
export const DEPOTS_CHART = 'sessions-by-depot';

/** The headline figures a depot's line shows, in the headline's order. */
const COLUMNS = ['sessions', 'energy', 'success', 'fault-free', 'open-incidents'] as const;

/**
 * One line per depot with its own headline figures and their change on the previous period,
 * and the depots' sessions per day in one chart; nothing for a report of one fleet. Each cell
 * is in a `data-depot` row and a `data-kpi` cell, so a test reads the figure it shows.
 */
export function depotsSection(report: HealthReport, charts: ChartSvgs): string {
  if (report.depots.length === 0) return '';
  const labels = COLUMNS.map(
    (key) => report.depots[0]?.headline.find((kpi) => kpi.key === key)?.label ?? key,
  );
  const head = ['Depot', 'Chargers', ...labels]
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join('');
  const body = report.depots.map((summary) => {
    const cells = COLUMNS.map((key) => figureCell(summary.headline.find((k) => k.key === key)));
    return (
      `<tr data-depot="${escapeHtml(summary.depot)}"><th scope="row">${escapeHtml(summary.depot)}</th>` +
      `<td>${summary.chargers}</td>${cells.join('')}</tr>`
    );
  });
  const svg = charts.get(DEPOTS_CHART);
  const chart =
    svg === undefined
      ? ''
      : chartFigure(
          DEPOTS_CHART,
          svg,
          'Sessions per day of each depot, both periods; the period totals are in the table above.',
        );
  return section(
    'depots',
    'Depots',
    note(
      `${report.depots.length} depots; each line counts that depot's sessions and incidents alone, the headline above all of them.`,
    ) +
      `<div class="table"><table><caption>Each depot in this period</caption>` +
      `<thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>` +
      chart,
  );
}

function figureCell(kpi: HeadlineKpi | undefined): string {
  if (kpi === undefined) return '<td>—</td>';
  return (
    `<td><span data-kpi="${escapeHtml(kpi.key)}">${escapeHtml(kpi.display)}</span>` +
    ` <span class="muted">(${escapeHtml(kpi.changeDisplay)})</span></td>`
  );
}
