import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateFrom } from '../../functions/adapters/from-config.ts';
import { runIncidents } from '../../functions/cli/incidents.ts';
import { runKpis } from '../../functions/cli/kpis.ts';
import { type Config, parseConfig } from '../../functions/config/config.ts';
import { renderHealthReport } from '../../functions/health-report/html/render-report.ts';
import { loadReportInput } from '../../functions/health-report/load-report-input.ts';
import { reportSourcesFrom } from '../../functions/health-report/report-sources.ts';
import { createReportHandler } from '../../functions/lambda/report-handler.ts';
import { REPORT_ENV } from '../../functions/lambda/report-settings.ts';
import type { DepotSimulator } from '../../functions/simulator/server.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';
import { scanOnce } from '../helpers/scan.ts';
import { startSimulator } from '../helpers/simulator.ts';

/**
 * Two depots scanned as one run from two simulators, then read back by `incidents`, `kpis`,
 * the health report and the report function. North is healthy (no injected fault) with two
 * chargers; South has three chargers and a fault in one session of three. What each depot
 * must show is worked out from what its simulator served, never from the read side's code.
 */

/** A Monday morning: the report function covers the Monday to Sunday before it. */
const NOW = Date.parse('2026-11-30T06:00:00Z');
const LOOKBACK_HOURS = 72;
const DEPOTS = ['north', 'south'] as const;

let dir: string;
let config: Config;
const sims: Record<string, DepotSimulator> = {};

/** The sessions a depot's simulator has in the window the first scan asks for, by UTC day. */
function servedByDay(depot: string): Map<string, number> {
  const { fleet } = sims[depot] as DepotSimulator;
  const byDay = new Map<string, number>();
  for (const chargerId of fleet.chargerIds())
    for (const connectorId of fleet.connectorIds())
      for (const session of fleet.sessionsBetween(
        chargerId,
        connectorId,
        NOW - LOOKBACK_HOURS * 3_600_000,
        NOW,
        NOW,
      )) {
        const day = new Date(session.start).toISOString().slice(0, 10);
        byDay.set(day, (byDay.get(day) ?? 0) + 1);
      }
  return byDay;
}

function servedWithin(depot: string, from: string, to: string): number {
  let total = 0;
  for (const [day, n] of servedByDay(depot)) if (day >= from && day <= to) total += n;
  return total;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-read-side-'));
  sims.north = await startSimulator({
    now: () => NOW,
    fleet: { seed: 3, chargers: 2, anomalyEvery: 0 },
  });
  sims.south = await startSimulator({
    now: () => NOW,
    fleet: { seed: 9, chargers: 3, anomalyEvery: 3 },
  });
  config = parseConfig(
    {
      depots: DEPOTS.map((name) => {
        const sim = sims[name] as DepotSimulator;
        return {
          name,
          api: { tokenUrl: sim.tokenUrl, baseUrl: sim.url },
          fleet: sim.fleet
            .chargerIds()
            .map((chargerId) => ({ chargerId, connectors: sim.fleet.connectorIds() })),
        };
      }),
      archive: join(dir, 'archive'),
      state: join(dir, 'state'),
      alerts: [join(dir, 'alerts.jsonl')],
      scan: { pageSize: 50, maxAttempts: 2, initialLookbackHours: LOOKBACK_HOURS },
    },
    'two-depot test config',
  );
  const summary = await scanOnce(config, () => NOW);
  expect(summary.failed).toEqual([]);
  // What the window holds is what was served: the sums below are the simulators' own.
  for (const depot of DEPOTS)
    expect((sims[depot] as DepotSimulator).stats.reportsServed).toBe(
      servedWithin(depot, '0000', '9999'),
    );
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(sims).map((sim) => sim.stop()));
});

/** Runs a command that writes to stdout, returning its exit code and what it wrote. */
async function output(run: (write: (text: string) => void) => Promise<number>) {
  let text = '';
  const code = await run((chunk) => {
    text += chunk;
  });
  return { code, text };
}

describe('depot-watch kpis over a two-depot state', () => {
  it("names each row's depot, and each depot's sessions add up to what its simulator served", async () => {
    const location = join(dir, 'state');
    const { code, text } = await output((write) =>
      runKpis({
        // As `depot-watch kpis --config` builds it: the config's state, no depot named.
        source: { state: stateFrom(location, { baseDir: '/' }), location },
        period: { from: '2026-11-26', to: '2026-11-30' },
        json: true,
        write,
        writeError: () => {},
      }),
    );
    expect(code).toBe(0);
    const rows = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { depot?: string; chargerId: string; sessions: number });
    expect(new Set(rows.map((r) => r.depot))).toEqual(new Set(DEPOTS));
    for (const depot of DEPOTS) {
      const own = rows.filter((r) => r.depot === depot);
      expect(own.reduce((n, r) => n + r.sessions, 0)).toBe(
        servedWithin(depot, '2026-11-26', '2026-11-30'),
      );
      expect(new Set(own.map((r) => r.chargerId))).toEqual(
        new Set((sims[depot] as DepotSimulator).fleet.chargerIds()),
      );
    }
  });

  it('prints a depot column and a total per depot in the table', async () => {
    const location = join(dir, 'state');
    const { text } = await output((write) =>
      runKpis({
        source: { state: stateFrom(location, { baseDir: '/' }), location },
        period: { from: '2026-11-26', to: '2026-11-30' },
        json: false,
        write,
        writeError: () => {},
      }),
    );
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^depot\s+date\s+charger\/connector/);
    for (const depot of DEPOTS) {
      const total = lines.find((l) => l.startsWith(`${depot} `) && /\sdepot\s/.test(l));
      expect(total?.split(/\s+/)[4]).toBe(String(servedWithin(depot, '2026-11-26', '2026-11-30')));
    }
  });
});

describe('depot-watch incidents over a two-depot state', () => {
  it("lists the faulty depot's incidents naming it, and none for the healthy one", async () => {
    const { code, text } = await output((write) =>
      runIncidents({
        config,
        baseDir: '/',
        openOnly: false,
        json: true,
        write,
        writeError: () => {},
      }),
    );
    expect(code).toBe(0);
    const rows = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { depot?: string; chargerId: string; status: string });
    expect(rows.length).toBeGreaterThan(0);
    // North served no faulty session: every incident is South's, and says so.
    expect(rows.filter((r) => r.depot !== 'south')).toEqual([]);
    expect(rows.some((r) => r.status === 'open')).toBe(true);
    const southChargers = (sims.south as DepotSimulator).fleet.chargerIds();
    for (const row of rows) expect(southChargers).toContain(row.chargerId);
  });

  it('shows the depot in the text list', async () => {
    const { text } = await output((write) =>
      runIncidents({
        config,
        baseDir: '/',
        openOnly: true,
        json: false,
        write,
        writeError: () => {},
      }),
    );
    const [head, ...rest] = text.trim().split('\n');
    expect(head).toMatch(/open across 1 depot\(s\): south$/);
    const incidentLines = rest.filter((l) => /^(OPEN|PENDING|RESOLVED)\s/.test(l));
    expect(incidentLines.length).toBeGreaterThan(0);
    for (const line of incidentLines) expect(line.split(/\s+/)[2]).toBe('south');
  });
});

describe('the health report over a two-depot state', () => {
  it("has a line per depot whose sessions are its simulator's, and each charger under its depot", async () => {
    const sources = reportSourcesFrom(config, { baseDir: '/' });
    const input = await loadReportInput(sources, {
      depot: 'Transit operator',
      now: NOW,
      period: { from: '2026-11-26', to: '2026-11-30' },
    });
    const html = await renderHealthReport(input);
    for (const depot of DEPOTS) {
      const row = new RegExp(`<tr data-depot="${depot}">.*?</tr>`).exec(html)?.[0] ?? '';
      const sessions = /data-kpi="sessions">([^<]*)</.exec(row)?.[1];
      expect(sessions).toBe(
        servedWithin(depot, '2026-11-26', '2026-11-30').toLocaleString('en-US'),
      );
      const articles = html.match(
        new RegExp(`<article class="charger" data-depot="${depot}">`, 'g'),
      );
      expect(articles?.length).toBe((sims[depot] as DepotSimulator).fleet.chargerIds().length);
    }
    expect(html).toContain('data-chart="sessions-by-depot"');
    // South's charger evidence points at its own archive partition, which holds its reports.
    expect(html).toContain(`${join(dir, 'archive')}/reports/depot=south/charger=HPC-003/`);
    const open = /<section id="open">.*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(open).toContain('<th scope="col">Depot</th>');
    expect(open).toContain('<strong>south</strong>');
    expect(open).not.toContain('<strong>north</strong>');
  });
});

describe('the report function over a two-depot state in S3', () => {
  let s3: LocalS3;
  afterAll(async () => {
    await s3?.stop();
  });

  it("reads every depot's state under the state prefix and names them in the notice", async () => {
    s3 = await startS3();
    // The scan's local state and history, put where the stack's scan would have put them.
    for (const [folder, prefix] of [
      ['state', 'state'],
      ['archive/incidents', 'archive/incidents'],
    ] as const) {
      const root = join(dir, folder);
      for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath, entry.name);
        await s3.client.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: `${prefix}/${path.slice(root.length + 1)}`,
            Body: await readFile(path),
          }),
        );
      }
    }
    const sns = new SNSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const snsMock = mockClient(sns);
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const handler = createReportHandler({
      env: {
        [REPORT_ENV.bucket]: s3.bucket,
        [REPORT_ENV.topic]: 'arn:aws:sns:eu-west-1:123456789012:depot-watch-reports',
        [REPORT_ENV.depot]: 'Transit operator',
      },
      s3: s3.client,
      sns,
      logger: new Logger({ serviceName: 'depot-watch-report', logLevel: 'SILENT' }),
      now: () => NOW,
    });
    const run = await handler({});
    expect(run.period).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    const page = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: run.key }));
    const html = (await page.Body?.transformToString('utf8')) ?? '';
    let all = 0;
    for (const depot of DEPOTS) {
      const row = new RegExp(`<tr data-depot="${depot}">.*?</tr>`).exec(html)?.[0] ?? '';
      const served = servedWithin(depot, run.period.from, run.period.to);
      all += served;
      expect(/data-kpi="sessions">([^<]*)</.exec(row)?.[1]).toBe(served.toLocaleString('en-US'));
    }
    const published = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}';
    const body = JSON.parse(JSON.parse(published).default) as { depots?: string[] };
    expect(body.depots).toEqual([...DEPOTS]);
    // The headline is every depot's together.
    expect(/<p class="value" data-kpi="sessions">([^<]*)</.exec(html)?.[1]).toBe(
      all.toLocaleString('en-US'),
    );
  });
});
