/**
 * `npm run report:screenshot`: runs the demo in a scratch folder and saves the top of its health
 * report, as Chromium draws it 1200 px wide, to docs/health-report.png for the README.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { launchChromium } from '../test/browser/chromium.ts';

const OUT = resolve('docs/health-report.png');
const WIDTH = 1200;
/** The README shows the top of the page; the rest is for the reader who opens the demo's. */
const MAX_HEIGHT = 2400;
/** Kept small so the repository stays light; the clip shrinks until the PNG fits. */
const MAX_BYTES = 400_000;

const work = await mkdtemp(join(tmpdir(), 'depot-watch-screenshot-'));
const browser = await launchChromium();
try {
  await promisify(execFile)('node', [resolve('bin/depot-watch.mjs'), 'demo'], {
    cwd: work,
    env: { ...process.env, DEPOT_WATCH_CLIENT_ID: '', DEPOT_WATCH_CLIENT_SECRET: '' },
  });
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: WIDTH, height: 900 });
  await page.goto(pathToFileURL(join(work, '.depot-watch', 'health-report.html')).href);
  const pageHeight = await page.$eval('html', (html) => html.scrollHeight);
  let height = Math.min(pageHeight, MAX_HEIGHT);
  let png = await shot(height);
  while (png.length > MAX_BYTES && height > 600) {
    height = Math.round(height * 0.8);
    png = await shot(height);
  }
  await writeFile(OUT, png);
  process.stdout.write(`${OUT}: ${WIDTH}×${height} px, ${Math.round(png.length / 1024)} KB\n`);

  async function shot(h: number): Promise<Buffer> {
    return page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: WIDTH, height: h } });
  }
} finally {
  await browser.close();
  await rm(work, { recursive: true, force: true });
}
