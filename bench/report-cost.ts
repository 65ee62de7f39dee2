import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { mapWithConcurrency } from '../functions/core/concurrency.ts';
import { type DailyConnectorKpi, kpiRowsToJsonLines } from '../functions/core/fleet/daily-kpis.ts';
import type { Incident } from '../functions/core/incidents/incident.ts';
import { renderHealthReport } from '../functions/health-report/html/render-report.ts';
import { loadReportInput } from '../functions/health-report/load-report-input.ts';
import { buildHealthReport } from '../functions/health-report/model/health-report.ts';
import type { HistoryNotice } from '../functions/health-report/model/report-input.ts';
import { StoredReportSources } from '../functions/health-report/report-sources.ts';
import { createReportHandler } from '../functions/lambda/report-handler.ts';
import { REPORT_ENV } from '../functions/lambda/report-settings.ts';
import { s3rverClient } from '../test/helpers/s3rver-client.ts';
import { startChild } from './children.ts';
import { type BenchResult, fmt } from './harness.ts';
import { PRICES } from './prices.ts';

/** What BENCHMARKS.md says under "Weekly health report: a 200-charger depot on AWS", below its figures. */
const NOTES = [
  'Each run reads the KPI rollups, the incident history and the incident records of the period, never the archived reports, and writes one page. Prices are list prices of 2026-11-01; free tiers would make most lines zero.',
];

const DEPOT = { chargers: 200, connectors: 2, days: 14, sessionsPerConnectorDay: 8 };
/** Notices a day: the scan writes one history file per run that sent any. */
const NOTICES = { runFilesPerDay: 12, perRunFile: 3 };
/** Email subscribers of the reports topic (the addresses of the example in docs/deploy.md, plus a vehicle team). */
const SUBSCRIBERS = 3;
const RULES = [
  'breaker-open-under-load',
  'soc-shortfall',
  'converter-error-counter',
  'ocpp-faulted',
];
const RUNS_PER_MONTH = 52 / 12;
const BUCKET = 'bench-report';
/** A Monday, 06:00 UTC: the report covers the 7 days before and compares with the 7 before those. */
const NOW = Date.parse('2026-11-23T06:00:00Z');

/**
 * The weekly report for a 200-charger × 2-connector depot: 14 days of KPI rows, an incident
 * record per connector and a realistic incident history in s3rver. Runs the report handler
 * against it (counting S3 requests by command), then renders the page in process alone for
 * time and memory, and prices a run a week for a month.
 */
export async function reportCost(): Promise<BenchResult> {
  const s3 = await startChild<{ endpoint: string }>('s3rver', { bucket: BUCKET });
  const calls = new Map<string, number>();
  const client = s3rverClient(s3.info.endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countS3Calls' },
  );
  try {
    await seed(client);
    calls.clear();
    let published = 0;
    const sns = {
      send: async () => {
        published++;
        return { MessageId: 'bench' };
      },
    } as unknown as SNSClient;
    const handler = createReportHandler({
      env: {
        [REPORT_ENV.bucket]: BUCKET,
        [REPORT_ENV.topic]: 'arn:aws:sns:eu-west-1:123456789012:bench-reports',
        [REPORT_ENV.depot]: 'bench depot',
      },
      s3: client,
      sns,
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
      now: () => NOW,
    });
    const handlerStart = performance.now();
    await handler({});
    const handlerMs = performance.now() - handlerStart;
    const counted = new Map(calls);

    // In process, no I/O: read once, then time the model and the page and watch the memory.
    const sources = new StoredReportSources(
      { state: `s3://${BUCKET}/state`, archive: `s3://${BUCKET}/archive` },
      { baseDir: '/', s3: client },
    );
    const input = await loadReportInput(sources, { depot: 'bench depot', now: NOW });
    globalThis.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 5);
    const renderStart = performance.now();
    buildHealthReport(input);
    const html = await renderHealthReport(input);
    const renderMs = performance.now() - renderStart;
    clearInterval(sampler);
    const end = process.memoryUsage();
    peakRss = Math.max(peakRss, end.rss);
    peakHeap = Math.max(peakHeap, end.heapUsed);

    const gets = (counted.get('GetObjectCommand') ?? 0) + (counted.get('HeadObjectCommand') ?? 0);
    const lists = counted.get('ListObjectsV2Command') ?? 0;
    const puts = counted.get('PutObjectCommand') ?? 0;
    const seconds = handlerMs / 1000;
    const lambdaAt = (mb: number) =>
      RUNS_PER_MONTH * (seconds * (mb / 1024) * PRICES.lambdaArmGbSecond + PRICES.lambdaRequest);
    const s3Requests = RUNS_PER_MONTH * (gets * PRICES.s3Get + (lists + puts) * PRICES.s3PutOrList);
    const snsCost =
      RUNS_PER_MONTH * (published * PRICES.snsPublish + SUBSCRIBERS * PRICES.snsEmail);
    const htmlBytes = Buffer.byteLength(html);
    // A year of reports kept: the storage a month costs at its largest.
    const storage = ((52 * htmlBytes) / 2 ** 30) * PRICES.s3StorageGbMonth;
    const total1024 = lambdaAt(1024) + s3Requests + snsCost + storage;
    return {
      title: `Weekly health report: a ${DEPOT.chargers}-charger depot on AWS`,
      method:
        `The report handler against s3rver holding ${DEPOT.days} days of KPI rows for ${DEPOT.chargers} × ${DEPOT.connectors} connectors, ` +
        `an incident record per connector and ${NOTICES.runFilesPerDay * NOTICES.perRunFile} notices a day; S3 requests counted by command; ` +
        `then the page rendered in process from the same input; priced for a run a week (${fmt(RUNS_PER_MONTH, 2)} a month).`,
      figures: [
        { label: 'handler run against s3rver', value: `${fmt(handlerMs)} ms` },
        { label: 'model + render in process', value: `${fmt(renderMs)} ms` },
        {
          label: 'peak memory while rendering',
          value: `RSS ${fmt(peakRss / 2 ** 20)} MB (${fmt(baseline.rss / 2 ** 20)} before), heap ${fmt(peakHeap / 2 ** 20)} MB (${fmt(baseline.heapUsed / 2 ** 20)} before)`,
        },
        { label: 'report page size', value: `${fmt(htmlBytes / 1024, 1)} KiB` },
        {
          label: 'S3 requests per run',
          value: `${fmt(gets)} GET, ${fmt(lists)} LIST, ${fmt(puts)} PUT`,
        },
        {
          label: 'SNS publishes per run',
          value: `${published} (to ${SUBSCRIBERS} email addresses)`,
        },
        {
          label: 'Lambda (per month, arm64)',
          value: `$${fmt(lambdaAt(512), 5)} at 512 MB, $${fmt(lambdaAt(1024), 5)} at 1024 MB`,
        },
        { label: 'S3 requests (per month)', value: `$${fmt(s3Requests, 5)}` },
        { label: 'SNS and email (per month)', value: `$${fmt(snsCost, 5)}` },
        { label: 'S3 storage, a year of pages', value: `$${fmt(storage, 6)} a month` },
        { label: 'total at 1024 MB', value: `$${fmt(total1024, 4)} per month` },
      ],
      notes: NOTES,
    };
  } finally {
    client.destroy();
    await s3.stop();
  }
}

/** Fills the bucket as two weeks of scans would have left it. */
async function seed(client: S3Client): Promise<void> {
  const put = (Key: string, Body: string) =>
    client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  const days = Array.from({ length: DEPOT.days + 1 }, (_, i) =>
    new Date(NOW - (i + 1) * 86_400_000).toISOString().slice(0, 10),
  );
  const connectors = Array.from({ length: DEPOT.chargers }, (_, c) =>
    Array.from({ length: DEPOT.connectors }, (_, k) => ({
      chargerId: `HPC-${String(c + 1).padStart(3, '0')}`,
      connectorId: String(k + 1),
    })),
  ).flat();
  await mapWithConcurrency(days.slice(0, DEPOT.days), 4, (day) =>
    put(
      `state/kpis/date=${day}/kpis.jsonl`,
      kpiRowsToJsonLines(connectors.map((c, i) => kpiRow(day, c, i))),
    ),
  );
  await mapWithConcurrency(connectors, 16, (c, i) =>
    put(
      `state/incidents/charger=${c.chargerId}/connector=${c.connectorId}.json`,
      JSON.stringify({
        version: 1,
        ...c,
        incidents: i % 20 === 0 ? [incident(c, i)] : [],
        recent: [],
        seen: [],
        openings: {},
      }),
    ),
  );
  await mapWithConcurrency(days, 4, async (day) => {
    for (let run = 0; run < NOTICES.runFilesPerDay; run++) {
      const lines = Array.from({ length: NOTICES.perRunFile }, (_, n) => {
        const c = connectors[(run * 7 + n * 31 + day.charCodeAt(9)) % connectors.length];
        return JSON.stringify(historyNotice(day, run, n, c as (typeof connectors)[0]));
      });
      await put(`archive/incidents/date=${day}/run-${day}-${run}.jsonl`, `${lines.join('\n')}\n`);
    }
  });
}

function kpiRow(
  day: string,
  c: { chargerId: string; connectorId: string },
  i: number,
): DailyConnectorKpi {
  const sessions = DEPOT.sessionsPerConnectorDay;
  const successful = sessions - (i % 7 === 0 ? 1 : 0);
  const faultFree = successful - (i % 5 === 0 ? 1 : 0);
  const wh = sessions * (180_000 + (i % 13) * 4_000);
  return {
    date: day,
    ...c,
    sessions,
    successfulSessions: successful,
    faultFreeSessions: faultFree,
    chargingSuccessRate: successful / sessions,
    faultFreeRate: faultFree / sessions,
    energyDeliveredKwh: Math.round(wh / 100) / 10,
    energyDeliveredWh: wh,
    meanEfficiencyPercent: 95,
    efficiencySessions: sessions,
    efficiencySumPercent: 95 * sessions,
    faultedMinutes: i % 11 === 0 ? 12 : 0,
    findings: sessions - faultFree,
    criticalFindings: sessions - successful,
    sessionKeys: Array.from({ length: sessions }, (_, s) => `${100_000 + i * 100 + s}/${day}`),
  };
}

function historyNotice(
  day: string,
  run: number,
  n: number,
  c: { chargerId: string; connectorId: string },
): HistoryNotice {
  const rule = RULES[(run + n) % RULES.length] as string;
  return {
    event: (['open', 'reminder', 'resolve'] as const)[(run + n) % 3] as HistoryNotice['event'],
    incident: `inc-${c.chargerId}-${c.connectorId}-${rule}`,
    rule,
    subject: 'connector',
    ...c,
    severity: n % 2 ? 'warning' : 'critical',
    at: `${day}T${String((run * 2) % 24).padStart(2, '0')}:${String(n * 7).padStart(2, '0')}:00.000Z`,
    sessionIds: [`${run}${n}`],
    title: `${rule} on ${c.chargerId}/${c.connectorId}`,
    occurrence: 1,
    runId: `${day}-${run}`,
  };
}

function incident(c: { chargerId: string; connectorId: string }, i: number): Incident {
  const rule = RULES[i % RULES.length] as string;
  const at = new Date(NOW - (i % 10) * 86_400_000).toISOString();
  return {
    id: `inc-${c.chargerId}-${c.connectorId}-${rule}`,
    key: rule,
    rule,
    subject: 'connector',
    ...c,
    status: 'open',
    severity: 'warning',
    occurrence: 1,
    escalated: false,
    firstFindingAt: at,
    lastFindingAt: at,
    openedAt: at,
    sessionIds: ['1'],
    failedSinceNotice: [],
    failedSinceNoticeCount: 0,
    cleanSessions: [],
    latest: {
      rule,
      severity: 'warning',
      ...c,
      sessionId: '1',
      title: `${rule} on ${c.chargerId}/${c.connectorId}`,
      message: 'bench',
      evidence: {},
      fingerprint: `${i}`,
    },
    context: [],
    notified: { openAt: at, severity: 'warning' },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await reportCost();
  process.stdout.write(`\n${result.title}\n${result.method}\n`);
  for (const f of result.figures) process.stdout.write(`  ${f.label.padEnd(36)} ${f.value}\n`);
  for (const n of result.notes ?? []) process.stdout.write(`  - ${n}\n`);
}
