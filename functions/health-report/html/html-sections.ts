import { chargersNeedingAttention } from '../model/charger-attention.ts';
import type {
  ChargerTrend,
  HeadlineKpi,
  HealthReport,
  IncidentLine,
} from '../model/health-report.ts';
import { formatPercent } from '../model/report-format.ts';
import { chargerName, depotColumn } from './depot-names.ts';
import { escapeHtml } from './html-escape.ts';
import {
  chartFigure,
  evidenceBlock,
  note,
  section,
  sessionList,
  table,
  when,
} from './html-parts.ts';

/** The SVGs of a report's charts, by `data-chart` name; a chart with no data has none. */
export type ChartSvgs = ReadonlyMap<string, string>;

/** The `data-chart` names of a charger's two charts; a named depot's charger's name it too. */
export function chargerChartNames(chargerId: string, depot?: string) {
  const name = depot === undefined ? chargerId : `${depot}-${chargerId}`;
  return { efficiency: `efficiency-${name}`, sessions: `sessions-${name}` };
}

/** The `data-chart` name of the faults chart. */
export const FAULTS_CHART = 'faults-by-rule';

/** The headline cards; each number sits in a `data-kpi` element holding exactly its display. */
export function headlineSection(report: HealthReport): string {
  const cards = report.headline.map(kpiCard).join('');
  const compared = `Compared with ${report.previous.from} – ${report.previous.to}.`;
  // The queries sit below the cards, not in them: on a phone they would drown the numbers.
  const checks = report.headline
    .map((kpi) => `<li>${escapeHtml(kpi.label)}: ${evidenceBlock(kpi.evidence)}</li>`)
    .join('');
  return section(
    'headline',
    'Headline',
    `${note(compared)}<div class="kpis">${cards}</div>` +
      `<h3>Where these numbers come from</h3><ul class="checks">${checks}</ul>`,
  );
}

function kpiCard(kpi: HeadlineKpi): string {
  return (
    `<article class="kpi"><h3>${escapeHtml(kpi.label)}</h3>` +
    `<p class="value" data-kpi="${escapeHtml(kpi.key)}">${escapeHtml(kpi.display)}</p>` +
    `<p class="change">previous ${escapeHtml(kpi.previousDisplay)} · change ` +
    `<span data-kpi-change="${escapeHtml(kpi.key)}">${escapeHtml(kpi.changeDisplay)}</span></p>` +
    `<p class="muted">${escapeHtml(kpi.note)}</p></article>`
  );
}

/** Per charger: its efficiency and sessions charts, a table of the same numbers, the evidence. */
export function chargersSection(report: HealthReport, charts: ChartSvgs): string {
  if (report.chargers.length === 0) {
    return section('chargers', 'Chargers', note('No sessions in this period or the previous one.'));
  }
  const periodSessions = report.chargers.reduce((n, c) => n + c.sessions, 0);
  const lead =
    periodSessions === 0
      ? note('No sessions in this period; the charts show the previous period only.')
      : '';
  const drawn = chargersNeedingAttention(report.chargers);
  const depot = depotColumn(report.depots.length > 0);
  const rest =
    drawn.length < report.chargers.length
      ? note(
          `The ${drawn.length} chargers with the largest share of failed sessions (then the lowest efficiency) are drawn; all ${report.chargers.length} are in the table at the end of this section.`,
        ) +
        table(
          'Every charger in this period',
          [...depot.headers, 'Charger', 'Sessions', 'Failed', 'Efficiency'],
          report.chargers.map((c) => [
            ...depot.cells(c),
            escapeHtml(c.chargerId),
            String(c.sessions),
            String(c.failedSessions),
            escapeHtml(formatPercent(c.efficiencyPercent)),
          ]),
        )
      : '';
  return section(
    'chargers',
    'Chargers',
    lead + drawn.map((c) => chargerBlock(c, charts)).join('') + rest,
  );
}

function chargerBlock(charger: ChargerTrend, charts: ChartSvgs): string {
  const names = chargerChartNames(charger.chargerId, charger.depot);
  const name = chargerName(charger);
  const summary =
    charger.sessions === 0
      ? 'no sessions in this period'
      : `${charger.sessions} sessions in this period, ${charger.failedSessions} failed, ` +
        `mean efficiency ${formatPercent(charger.efficiencyPercent)}`;
  const rows = charger.days
    .filter((day) => day.sessions > 0)
    .map((day) => [
      escapeHtml(day.date),
      String(day.sessions),
      String(day.failedSessions),
      escapeHtml(formatPercent(day.efficiencyPercent)),
    ]);
  const figures: string[] = [];
  const efficiency = charts.get(names.efficiency);
  if (efficiency !== undefined) {
    figures.push(
      chartFigure(
        names.efficiency,
        efficiency,
        `Efficiency per day of ${escapeHtml(name)}; the numbers are in the table below.`,
      ),
    );
  }
  const sessions = charts.get(names.sessions);
  if (sessions !== undefined) {
    figures.push(
      chartFigure(
        names.sessions,
        sessions,
        `Sessions per day of ${escapeHtml(name)}, failed ones stacked on top; the numbers are in the table below.`,
      ),
    );
  }
  const numbers = rows.length
    ? table(`Days with sessions, ${name}`, ['Day (UTC)', 'Sessions', 'Failed', 'Efficiency'], rows)
    : note('No sessions in either period.');
  return (
    `<article class="charger"${charger.depot === undefined ? '' : ` data-depot="${escapeHtml(charger.depot)}"`}><h3>${escapeHtml(name)}</h3>` +
    `<p>Connectors ${charger.connectorIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(', ')}: ${escapeHtml(summary)}.</p>` +
    `<div class="multiples">${figures.join('')}</div>${numbers}${evidenceBlock(charger.evidence)}</article>`
  );
}

/** Faults by rule per week: the chart, its table, and the query behind it. */
export function faultsSection(report: HealthReport, charts: ChartSvgs): string {
  const svg = charts.get(FAULTS_CHART);
  if (svg === undefined || report.faultsByWeek.length === 0) {
    return section(
      'faults',
      'Faults by rule per week',
      note('No incident opened or escalated in either period.'),
    );
  }
  const rows = report.faultsByWeek.map((f) => [
    escapeHtml(f.week),
    `<code>${escapeHtml(f.rule)}</code>`,
    String(f.notices),
  ]);
  return section(
    'faults',
    'Faults by rule per week',
    chartFigure(
      FAULTS_CHART,
      svg,
      'Open and escalate notices per rule and ISO week; the numbers are in the table below.',
    ) +
      table('Open and escalate notices', ['ISO week', 'Rule', 'Notices'], rows) +
      evidenceBlock(report.faultsByWeekEvidence),
  );
}

/** The faults that came back most often in the period. */
export function recurringSection(report: HealthReport): string {
  if (report.topRecurring.length === 0) {
    return section('recurring', 'Top recurring faults', note('No incident opened in this period.'));
  }
  const depot = depotColumn(report.depots.length > 0);
  const rows = report.topRecurring.map((f) => [
    ...depot.cells(f),
    `<code>${escapeHtml(f.rule)}</code>`,
    `${escapeHtml(f.subject)} <strong>${escapeHtml(f.subjectLabel)}</strong>`,
    String(f.opened),
    sessionList(f.evidence.sessionIds),
    (f.evidence.archivePaths ?? []).map((p) => `<code>${escapeHtml(p)}</code>`).join(' '),
  ]);
  return section(
    'recurring',
    'Top recurring faults',
    table(
      'Incidents opened in the period, most first',
      [...depot.headers, 'Rule', 'Subject', 'Opened', 'Sessions', 'Reports'],
      rows,
    ),
  );
}

/** Incidents open now, resolved in the period, and drift incidents. */
export function incidentSections(report: HealthReport): string {
  const depot = depotColumn(report.depots.length > 0);
  return [
    incidentTable(
      'open',
      'Open incidents',
      report.openIncidents,
      'No incident is open.',
      'Since',
      depot,
    ),
    incidentTable(
      'resolved',
      'Resolved in this period',
      report.resolvedInPeriod,
      'No incident was resolved in this period.',
      'Resolved',
      depot,
    ),
    incidentTable(
      'drift',
      'Drift',
      report.drift,
      'No drift incident is open or opened in this period.',
      'Since',
      depot,
    ),
  ].join('');
}

function incidentTable(
  id: string,
  heading: string,
  lines: readonly IncidentLine[],
  empty: string,
  timeColumn: 'Since' | 'Resolved',
  depot: ReturnType<typeof depotColumn>,
): string {
  if (lines.length === 0) return section(id, heading, note(empty));
  const rows = lines.map((line) => [
    ...depot.cells(line),
    `${escapeHtml(line.severity)}${line.status === 'open' ? '' : ' <span class="muted">(closed)</span>'}`,
    escapeHtml(line.title),
    `<code>${escapeHtml(line.rule)}</code>`,
    `${escapeHtml(line.subject)} <strong>${escapeHtml(line.subjectLabel)}</strong>`,
    when(timeColumn === 'Since' ? line.openedAt : line.resolvedAt),
    `${evidenceBlock(line.evidence, true)}<span class="muted">incident <code>${escapeHtml(line.incident)}</code></span>`,
  ]);
  return section(
    id,
    heading,
    table(
      heading,
      [...depot.headers, 'Severity', 'Title', 'Rule', 'Subject', timeColumn, 'Evidence'],
      rows,
    ),
  );
}

/** Vehicles with incidents of their own: open now or opened in the period. */
export function vehicleSection(report: HealthReport): string {
  if (report.vehicleWatch.length === 0) {
    return section(
      'vehicles',
      'Vehicle watch-list',
      note('No vehicle incident is open or opened in this period.'),
    );
  }
  const depot = depotColumn(report.depots.length > 0);
  const rows = report.vehicleWatch.map((v) => [
    ...depot.cells(v),
    `<strong>${escapeHtml(v.vehicleId)}</strong>`,
    `<code>${escapeHtml(v.rule)}</code>`,
    v.open ? 'open' : 'closed',
    when(v.since),
    evidenceBlock(v.evidence, true),
  ]);
  return section(
    'vehicles',
    'Vehicle watch-list',
    table(
      'Vehicles the faults follow',
      [...depot.headers, 'Vehicle', 'Rule', 'Now', 'Since', 'Evidence'],
      rows,
    ),
  );
}
