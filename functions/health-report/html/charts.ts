import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChargerTrend, HealthReport } from '../model/health-report.ts';
import { chargerName } from './depot-names.ts';
import { escapeHtml } from './html-escape.ts';

/** Okabe–Ito: told apart by readers with any common colour-vision deficiency, and in grey print. */
export const OKABE_ITO = [
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#F0E442',
  '#0072B2',
  '#D55E00',
  '#CC79A7',
  '#000000',
];

/** A Vega-Lite spec that names itself: the title is drawn, the description is the aria label. */
export type ChartSpec = TopLevelSpec & { title: string; description: string };

const WIDTH = 480;
const HEIGHT = 160;

const config = {
  range: { category: OKABE_ITO },
  font: 'sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' as const },
};

/** One charger's mean efficiency per day (weighted by judged sessions), both periods. */
export function efficiencySpec(charger: ChargerTrend): ChartSpec {
  const values = charger.days
    .filter((day) => day.efficiencyPercent !== null)
    .map((day) => ({ ...day, day: day.date.slice(5), periodName: periodName(day.period) }));
  return {
    title: `Efficiency per day — ${chargerName(charger)}`,
    description:
      `Mean converter efficiency per day of charger ${chargerName(charger)}: ` +
      values.map((v) => `${v.date} ${v.efficiencyPercent} %`).join(', '),
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'Day (UTC)', sort: null, axis: { labelAngle: 0 } },
      y: {
        field: 'efficiencyPercent',
        type: 'quantitative',
        title: 'Efficiency (%)',
        scale: { zero: false },
      },
      color: {
        field: 'periodName',
        type: 'nominal',
        title: 'Period',
        sort: ['previous period', 'this period'],
      },
    },
    config,
  };
}

/** One charger's successful and failed sessions per day, stacked, both periods. */
export function sessionsSpec(charger: ChargerTrend): ChartSpec {
  const values = charger.days.flatMap((day) => [
    { day: day.date.slice(5), outcome: 'successful', sessions: day.successfulSessions, order: 0 },
    { day: day.date.slice(5), outcome: 'failed', sessions: day.failedSessions, order: 1 },
  ]);
  return {
    title: `Sessions per day — ${chargerName(charger)}`,
    description:
      `Sessions and failed sessions per day of charger ${chargerName(charger)}: ` +
      charger.days.map((d) => `${d.date} ${d.sessions} (${d.failedSessions} failed)`).join(', '),
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'Day (UTC)', sort: null, axis: { labelAngle: 0 } },
      y: { field: 'sessions', type: 'quantitative', title: 'Sessions', stack: 'zero' },
      color: {
        field: 'outcome',
        type: 'nominal',
        title: 'Outcome',
        // Blue and vermilion: apart for every colour vision, and "failed" reads as the warm one.
        scale: { domain: ['successful', 'failed'], range: ['#0072B2', '#D55E00'] },
      },
      order: { field: 'order', type: 'quantitative' },
    },
    config,
  };
}

/** Open and escalate notices per rule and ISO week, stacked by rule. */
export function faultsByRuleSpec(report: HealthReport): ChartSpec {
  return {
    title: 'Faults by rule per week',
    description:
      'Incidents opened or escalated per rule and ISO week: ' +
      report.faultsByWeek.map((f) => `${f.week} ${f.rule} ${f.notices}`).join(', '),
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values: report.faultsByWeek },
    mark: 'bar',
    encoding: {
      x: {
        field: 'week',
        type: 'ordinal',
        title: 'ISO week',
        scale: { domain: report.weeks },
        axis: { labelAngle: 0 },
      },
      y: { field: 'notices', type: 'quantitative', title: 'Open + escalate notices' },
      color: { field: 'rule', type: 'nominal', title: 'Rule' },
    },
    config,
  };
}

/** Sessions per day of every depot over both periods, a line and a colour per depot. */
export function depotSessionsSpec(report: HealthReport): ChartSpec {
  const values = report.depots.flatMap(({ depot, days }) =>
    days.map((day) => ({ depot, day: day.date.slice(5), sessions: day.sessions })),
  );
  return {
    title: 'Sessions per day by depot',
    description:
      'Charging sessions per day of each depot: ' +
      report.depots
        .map(
          ({ depot, days }) => `${depot} ${days.map((d) => `${d.date} ${d.sessions}`).join(', ')}`,
        )
        .join('; '),
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'Day (UTC)', sort: null, axis: { labelAngle: 0 } },
      y: { field: 'sessions', type: 'quantitative', title: 'Sessions' },
      // The depots in name order, so a depot keeps its colour from one week's report to the next.
      color: {
        field: 'depot',
        type: 'nominal',
        title: 'Depot',
        sort: report.depots.map((d) => d.depot),
      },
    },
    config,
  };
}

/**
 * The chart as a static SVG, rendered on the server with no browser and no network. The root
 * gets `role="img"`, an `aria-label` and a `<title>`, which Vega's own output lacks.
 */
export async function chartSvg(spec: ChartSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return labelled(svg, spec.title, spec.description);
  } finally {
    view.finalize();
  }
}

function labelled(svg: string, title: string, description: string): string {
  // Namespace declarations are not fetched, but an inline SVG in HTML needs none, and without
  // them the page holds no URL at all.
  return svg.replace(/^<svg([^>]*)>/, (_, attributes: string) => {
    const kept = attributes.replace(/\s+xmlns(:\w+)?="[^"]*"/g, '');
    return (
      `<svg${kept} role="img" aria-label="${escapeHtml(description)}" preserveAspectRatio="xMinYMin meet">` +
      `<title>${escapeHtml(title)}</title>`
    );
  });
}

function periodName(period: 'previous' | 'current'): string {
  return period === 'current' ? 'this period' : 'previous period';
}
