import { beforeAll, describe, expect, it } from 'vitest';
import type { DailyConnectorKpi } from '../../functions/core/fleet/daily-kpis.ts';
import type { Incident } from '../../functions/core/incidents/incident.ts';
import { chartSvg, efficiencySpec } from '../../functions/health-report/html/charts.ts';
import { escapeHtml } from '../../functions/health-report/html/html-escape.ts';
import { renderHealthReport } from '../../functions/health-report/html/render-report.ts';
import { buildHealthReport } from '../../functions/health-report/model/health-report.ts';
import type {
  HealthReportInput,
  HistoryNotice,
} from '../../functions/health-report/model/report-input.ts';
import { kpiRow } from '../helpers/kpi-rows.ts';

const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '</svg><img src=x onerror=alert(1)>';

const kpi = (
  date: string,
  chargerId: string,
  sessions: number,
  successfulSessions: number,
  efficiencySumPercent: number,
  efficiencySessions: number,
): DailyConnectorKpi =>
  kpiRow({
    date,
    chargerId,
    connectorId: '1',
    sessions,
    successfulSessions,
    faultFreeSessions: successfulSessions,
    energyDeliveredWh: sessions * 100_000,
    efficiencySessions,
    efficiencySumPercent,
  });

const notice = (event: HistoryNotice['event'], at: string, chargerId: string): HistoryNotice => ({
  event,
  incident: 'inc-1',
  rule: 'converter-error-counter',
  subject: 'connector',
  chargerId,
  connectorId: '1',
  severity: 'critical',
  at,
  sessionIds: Array.from({ length: 12 }, (_, i) => `s${i + 1}`),
  title: SCRIPT,
  occurrence: 1,
});

const openIncident: Incident = {
  id: 'inc-1',
  key: 'k',
  rule: 'converter-error-counter',
  subject: 'connector',
  chargerId: BREAKOUT,
  connectorId: '1',
  status: 'open',
  severity: 'critical',
  occurrence: 1,
  escalated: false,
  firstFindingAt: '2026-05-12T00:00:00Z',
  lastFindingAt: '2026-05-12T00:00:00Z',
  openedAt: '2026-05-12T00:00:00Z',
  sessionIds: ['s1'],
  failedSinceNotice: [],
  failedSinceNoticeCount: 0,
  cleanSessions: [],
  latest: {
    rule: 'converter-error-counter',
    severity: 'critical',
    chargerId: BREAKOUT,
    connectorId: '1',
    sessionId: 's1',
    title: SCRIPT,
    message: 'm',
    evidence: {},
    fingerprint: 'f',
  },
  context: [],
  notified: {},
};

// HPC-001 charges every day with judged efficiency; the hostile charger has sessions but no
// judged efficiency, so it gets a sessions chart and no efficiency chart.
const input: HealthReportInput = {
  depot: `Depot ${SCRIPT}`,
  generatedAt: '2026-05-18T06:00:00.000Z',
  period: { from: '2026-05-11', to: '2026-05-17' },
  previous: { from: '2026-05-04', to: '2026-05-10' },
  archiveLocation: '/var/depot-watch/archive',
  kpis: [
    kpi('2026-05-05', 'HPC-001', 4, 4, 380, 4),
    kpi('2026-05-11', 'HPC-001', 5, 4, 470, 5),
    kpi('2026-05-12', 'HPC-001', 3, 2, 288, 3),
    kpi('2026-05-12', BREAKOUT, 2, 1, 0, 0),
  ],
  notices: [notice('open', '2026-05-12T00:00:00Z', BREAKOUT)],
  incidents: [openIncident],
};

/** Each `data-chart` container and what it holds. */
function charts(html: string): { name: string; body: string }[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]*)">([\s\S]*?)<\/figure>/g)].map(
    (m) => ({ name: m[1] ?? '', body: m[2] ?? '' }),
  );
}

/** The names of every attribute of every tag (all values are double-quoted and escaped). */
function attributeNames(html: string): string[] {
  const names = new Set<string>();
  for (const tag of html.matchAll(/<[a-zA-Z][^\s>]*((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    for (const attribute of (tag[1] ?? '').matchAll(/\s+([^\s=>]+)(?:="[^"]*")?/g)) {
      names.add((attribute[1] ?? '').toLowerCase());
    }
  }
  return [...names];
}

describe('renderHealthReport', () => {
  let html = '';
  beforeAll(async () => {
    html = await renderHealthReport(input);
  });

  it('renders one container per chart with data, each holding an SVG', () => {
    const found = charts(html);
    // Chargers in code-unit order, as Athena sorts them: '<' comes before 'H'.
    expect(found.map((c) => c.name)).toEqual([
      `sessions-${escapeHtml(BREAKOUT)}`,
      'efficiency-HPC-001',
      'sessions-HPC-001',
      'faults-by-rule',
    ]);
    for (const chart of found) expect(chart.body).toMatch(/<svg[^>]*viewBox="[^"]+"[\s\S]*<\/svg>/);
    // Three figures' worth of SVG plus the faults chart: no vendor text closed an SVG early.
    expect(html.match(/<\/svg>/g)).toHaveLength(4);
  });

  it('gives every chart a title, an aria label and a text alternative beside it', () => {
    for (const chart of charts(html)) {
      expect(chart.body).toMatch(/<svg[^>]* role="img" aria-label="[^"]+"/);
      expect(chart.body).toMatch(/<title>[^<]+<\/title>/);
      expect(chart.body).toMatch(/<figcaption>[^<]+/);
    }
    expect(html).toContain('aria-label="Mean converter efficiency per day of charger HPC-001: ');
  });

  it('shows the headline numbers exactly as the model displays them', () => {
    const model = buildHealthReport(input);
    for (const kpi of model.headline) {
      const shown = new RegExp(`data-kpi="${kpi.key}">([^<]*)<`).exec(html)?.[1];
      expect(shown).toBe(escapeHtml(kpi.display));
    }
    // Hand-computed: 5 + 3 + 2 sessions, 4 + 2 + 1 = 7 of them successful, 10 × 100 kWh.
    expect(html).toContain('data-kpi="sessions">10<');
    expect(html).toContain('data-kpi="success">70.0 %<');
    expect(html).toContain('data-kpi="energy">1,000.0 kWh<');
    expect(html).toContain('data-kpi="open-incidents">1<');
  });

  it('fetches nothing: no URL, no script, no external source or link', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|image|use)\b/i);
    const names = attributeNames(html);
    // The walk finds the attributes that are there: a sanity check of the check.
    expect(names).toEqual(
      expect.arrayContaining(['data-chart', 'data-kpi', 'aria-label', 'viewbox']),
    );
    expect(names).not.toContain('src');
    for (const fetching of ['href', 'xlink:href', 'srcset', 'action', 'poster', 'background']) {
      expect(names).not.toContain(fetching);
    }
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain('<meta name="viewport"');
  });

  it('shows vendor strings only escaped, in the page and inside the SVGs', () => {
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain(BREAKOUT);
    expect(html).toContain(escapeHtml(SCRIPT));
    // The charger id, drawn by Vega as the chart title text.
    const hostile = charts(html).find((c) => c.name.startsWith('sessions-&lt;'));
    expect(hostile?.body).toContain('&lt;/svg&gt;&lt;img src=x onerror=alert(1)&gt;</text>');
  });

  it('leads numbers to their evidence: archive folders, Athena, sessions capped', () => {
    expect(html).toContain('/var/depot-watch/archive/reports/charger=HPC-001/connector=1/');
    // The hostile id is encoded for the archive, as the archive files it.
    expect(html).toContain(
      'reports/charger=%3C%2Fsvg%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/',
    );
    expect(html).toContain('FROM depot_watch.daily_connector_kpis WHERE &quot;date&quot; BETWEEN');
    expect(html).toContain('<code>s8</code> and 4 more');
  });
});

describe('renderHealthReport for a period with no sessions', () => {
  it('renders zeros and says so, with no empty chart', async () => {
    const html = await renderHealthReport({ ...input, kpis: [], notices: [], incidents: [] });
    expect(charts(html)).toEqual([]);
    expect(html).not.toContain('<svg');
    expect(html).toContain('data-kpi="sessions">0<');
    expect(html).toContain('data-kpi="success">—<');
    expect(html).toContain('No sessions in this period or the previous one.');
  });
});

describe('chartSvg', () => {
  it('escapes text Vega draws, so a charger id cannot leave the SVG', async () => {
    const model = buildHealthReport(input);
    const trend = model.chargers.find((c) => c.chargerId === 'HPC-001');
    if (!trend) throw new Error('fixture has HPC-001');
    const svg = await chartSvg({ ...efficiencySpec(trend), title: BREAKOUT });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('<title>&lt;/svg&gt;&lt;img src=x onerror=alert(1)&gt;</title>');
  });
});

describe('a large depot', () => {
  it('draws the twelve chargers with the largest share of failed sessions and lists every charger', async () => {
    // 30 chargers; HPC-NN fails NN of its 40 sessions, so HPC-30 … HPC-19 are the worst twelve.
    const ids = Array.from({ length: 30 }, (_, i) => `HPC-${String(i + 1).padStart(2, '0')}`);
    const large: HealthReportInput = {
      ...input,
      notices: [],
      incidents: [],
      kpis: ids.map((id, i) => kpi('2026-05-12', id, 40, 40 - (i + 1), 3_800, 40)),
    };
    const html = await renderHealthReport(large);
    const drawn = charts(html)
      .map((c) => c.name)
      .filter((n) => n.startsWith('sessions-'))
      .sort();
    expect(drawn).toEqual(ids.slice(18).map((id) => `sessions-${id}`));
    for (const id of ids) expect(html).toContain(`<td>${id}</td>`);
  });
});
