import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpartitionedKpis } from '../../functions/scan/state-document.ts';
import { cli } from '../helpers/cli.ts';
import { stateDocumentIn } from '../helpers/state-document.ts';
import { type HeadlessChromium, launchChromium } from './chromium.ts';

const DAY_MS = 86_400_000;

/** Every line of every `.json`/`.jsonl` file under a folder, parsed; none when it is missing. */
async function documents(folder: string, ending: string): Promise<unknown[]> {
  if (!existsSync(folder)) return [];
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(ending))
      .map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
  );
  return ending === '.jsonl'
    ? texts.flatMap((t) => t.split('\n').filter(Boolean)).map((line) => JSON.parse(line))
    : texts.map((t) => JSON.parse(t));
}

interface Row {
  date: string;
  chargerId: string;
  sessions: number;
  successfulSessions: number;
  faultFreeSessions: number;
  energyDeliveredWh: number;
  efficiencySessions: number;
}

/** A `data-kpi` text as a number: `64,726.7 kWh` → 64726.7. */
const numberIn = (text: string) => Number(text.replace(/[^\d.]/g, ''));

describe('the health report the demo writes, in Chromium', () => {
  let work: string;
  let file: string;
  let state: string;
  let browser: HeadlessChromium;
  // The demo reports on the 7 days up to today (its data is fresh) against the 7 before.
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.parse(today) - 6 * DAY_MS).toISOString().slice(0, 10);
  const previousFrom = new Date(Date.parse(today) - 13 * DAY_MS).toISOString().slice(0, 10);

  beforeAll(async () => {
    // Failing, not skipping: launchChromium throws when no browser can be found or inflated.
    work = await mkdtemp(join(tmpdir(), 'depot-watch-browser-'));
    const demo = await cli(['demo'], { cwd: work });
    expect(demo.code, demo.stderr).toBe(0);
    file = join(work, '.depot-watch', 'health-report.html');
    expect(demo.stdout).toContain(`\nHealth report: ${file}\n`);
    state = join(work, '.depot-watch', 'state');
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Opens the report, recording console errors, page errors and every request made. */
  async function open(viewport = { width: 1200, height: 900 }) {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  /**
   * The KPI rows the demo's scans kept: each day's partition, and today's, which stay in the
   * state document until the day is over.
   */
  async function rowsWithin(start: string, end: string): Promise<Row[]> {
    const partitioned = (await documents(join(state, 'kpis'), '.jsonl')) as Row[];
    const document = await stateDocumentIn(state);
    const days = new Set([...partitioned.map((row) => row.date), ...Object.keys(document.kpis)]);
    const rows = [...days].flatMap(
      (day) =>
        (unpartitionedKpis(document, day) as Row[] | undefined) ??
        partitioned.filter((row) => row.date === day),
    );
    return rows.filter((row) => row.date >= start && row.date <= end);
  }

  it('opens offline: no error, and nothing fetched but the file itself', async () => {
    const { page, problems, requests } = await open();
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    await page.close();
  });

  it('draws every chart as a visible SVG with marks in it', async () => {
    const { page } = await open();
    const rows = await rowsWithin(previousFrom, today);
    const chargers = (test: (row: Row) => boolean) =>
      new Set(rows.filter(test).map((row) => row.chargerId)).size;
    const history = (await documents(
      join(work, '.depot-watch', 'archive', 'incidents'),
      '.jsonl',
    )) as { event: string }[];
    // Per charger an efficiency and a sessions chart when it has data; one chart of faults.
    const expected =
      chargers((row) => row.efficiencySessions > 0) +
      chargers((row) => row.sessions > 0) +
      (history.some((n) => n.event === 'open' || n.event === 'escalate') ? 1 : 0);
    expect(expected).toBeGreaterThan(1);
    const charts = await page.$$eval('[data-chart]', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          name: figure.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks:
            svg?.querySelectorAll('.role-mark path, .role-mark rect, .role-mark line').length ?? 0,
        };
      }),
    );
    expect(charts).toHaveLength(expected);
    for (const chart of charts) {
      expect(chart.width, chart.name ?? '').toBeGreaterThan(0);
      expect(chart.height, chart.name ?? '').toBeGreaterThan(0);
      expect(chart.marks, chart.name ?? '').toBeGreaterThan(0);
    }
    await page.close();
  });

  it('shows the headline figures the daily rollups add up to', async () => {
    const { page } = await open();
    const rows = await rowsWithin(from, today);
    const sum = (pick: (row: Row) => number) => rows.reduce((n, row) => n + pick(row), 0);
    const sessions = sum((row) => row.sessions);
    const percent = (part: number) => Number(((100 * part) / sessions).toFixed(1));
    type Held = { status: string };
    // Read from the state document the demo's scan committed, not through the report's code.
    const document = await stateDocumentIn(state);
    const held: Held[] = [
      ...Object.values(document.incidents).flatMap((record) => record.incidents ?? []),
      ...Object.values(document.attribution?.subjects ?? {}).flatMap((s) => s.incidents ?? []),
    ];
    const shown = Object.fromEntries(
      await page.$$eval('[data-kpi]', (cards) =>
        cards.map((card) => [card.getAttribute('data-kpi'), card.textContent ?? '']),
      ),
    ) as Record<string, string>;
    expect(sessions).toBeGreaterThan(0);
    expect({
      sessions: numberIn(shown.sessions ?? ''),
      energy: numberIn(shown.energy ?? ''),
      success: numberIn(shown.success ?? ''),
      'fault-free': numberIn(shown['fault-free'] ?? ''),
      'open-incidents': numberIn(shown['open-incidents'] ?? ''),
    }).toEqual({
      sessions,
      energy: Number((sum((row) => row.energyDeliveredWh) / 1000).toFixed(1)),
      success: percent(sum((row) => row.successfulSessions)),
      'fault-free': percent(sum((row) => row.faultFreeSessions)),
      'open-incidents': held.filter((incident) => incident.status === 'open').length,
    });
    await page.close();
  });

  it('makes a full-page screenshot worth looking at', async () => {
    const { page } = await open();
    const png = await page.screenshot({ fullPage: true, path: join(work, 'report.png') });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The PNG header holds width and height: the whole page, not a blank viewport.
    expect(png.readUInt32BE(16)).toBe(1200);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
    expect(png.length).toBeGreaterThan(50_000);
    await page.close();
  });

  it('fits a phone screen without scrolling sideways', async () => {
    const { page } = await open({ width: 390, height: 844 });
    const { scrollWidth, innerWidth } = await page.$eval('html', (html) => ({
      scrollWidth: html.scrollWidth,
      innerWidth: html.ownerDocument.defaultView?.innerWidth ?? 0,
    }));
    expect(innerWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await page.close();
  });
});
