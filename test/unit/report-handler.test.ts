import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3State } from '../../functions/adapters/s3-state.ts';
import { fingerprintOf } from '../../functions/core/finding.ts';
import type { DailyConnectorKpi } from '../../functions/core/fleet/daily-kpis.ts';
import type { ConnectorIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import type { Incident } from '../../functions/core/incidents/incident.ts';
import type { HistoryNotice } from '../../functions/health-report/model/report-input.ts';
import { createReportHandler, type ReportRun } from '../../functions/lambda/report-handler.ts';
import { REPORT_ENV } from '../../functions/lambda/report-settings.ts';
import { connectorKey, emptyDocument } from '../../functions/scan/state-document.ts';
import { type LocalS3, startS3 } from '../helpers/s3rver.ts';

/**
 * The weekly report function against s3rver holding a small state written by the real state
 * adapter, and SNS mocked at the SDK command level. The headline numbers the notice must
 * carry are added up here from the rows written, by hand, not by the report's code.
 */

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:depot-watch-reports';
/** A Monday, 06:00 UTC: the report covers the Monday to Sunday before it. */
const NOW = Date.parse('2026-11-23T06:00:00Z');
const PERIOD = { from: '2026-11-16', to: '2026-11-22' };

interface Day {
  date: string;
  chargerId: string;
  connectorId: string;
  sessions: number;
  successful: number;
  faultFree: number;
  wh: number;
}

/** This week's days and last week's, a few connectors each (dates outside both are noise). */
const DAYS: Day[] = [
  {
    date: '2026-11-16',
    chargerId: 'HPC-001',
    connectorId: '1',
    sessions: 10,
    successful: 9,
    faultFree: 8,
    wh: 412_345,
  },
  {
    date: '2026-11-16',
    chargerId: 'HPC-002',
    connectorId: '1',
    sessions: 6,
    successful: 6,
    faultFree: 5,
    wh: 250_100,
  },
  {
    date: '2026-11-19',
    chargerId: 'HPC-001',
    connectorId: '2',
    sessions: 12,
    successful: 10,
    faultFree: 10,
    wh: 501_000,
  },
  {
    date: '2026-11-22',
    chargerId: 'HPC-002',
    connectorId: '1',
    sessions: 7,
    successful: 5,
    faultFree: 4,
    wh: 300_050,
  },
  {
    date: '2026-11-10',
    chargerId: 'HPC-001',
    connectorId: '1',
    sessions: 9,
    successful: 9,
    faultFree: 9,
    wh: 380_000,
  },
  {
    date: '2026-11-15',
    chargerId: 'HPC-002',
    connectorId: '1',
    sessions: 8,
    successful: 6,
    faultFree: 6,
    wh: 333_300,
  },
  // Today and before the previous week: never counted.
  {
    date: '2026-11-23',
    chargerId: 'HPC-001',
    connectorId: '1',
    sessions: 50,
    successful: 0,
    faultFree: 0,
    wh: 9_000_000,
  },
  {
    date: '2026-11-08',
    chargerId: 'HPC-001',
    connectorId: '1',
    sessions: 50,
    successful: 50,
    faultFree: 50,
    wh: 9_000_000,
  },
];

function kpiRow(day: Day): DailyConnectorKpi {
  return {
    date: day.date,
    chargerId: day.chargerId,
    connectorId: day.connectorId,
    sessions: day.sessions,
    successfulSessions: day.successful,
    faultFreeSessions: day.faultFree,
    chargingSuccessRate: day.successful / day.sessions,
    faultFreeRate: day.faultFree / day.sessions,
    energyDeliveredKwh: Math.round(day.wh / 100) / 10,
    energyDeliveredWh: day.wh,
    meanEfficiencyPercent: 95,
    efficiencySessions: day.sessions,
    efficiencySumPercent: 95 * day.sessions,
    faultedMinutes: 0,
    findings: day.sessions - day.faultFree,
    criticalFindings: day.sessions - day.successful,
    sessionKeys: Array.from({ length: day.sessions }, (_, i) => `${day.date}/${i}`),
  };
}

const finding = {
  rule: 'breaker-open-under-load',
  severity: 'critical' as const,
  chargerId: 'HPC-002',
  connectorId: '1',
  sessionId: '5001',
  title: 'DC breaker opened under load: 82 A — HPC-002/1',
  message: 'The DC breaker opened with 82 A flowing at 650 V.',
  evidence: { currentAmps: 82 },
  fingerprint: fingerprintOf('breaker-open-under-load', 'HPC-002', '1', '5001'),
};

const openIncident: Incident = {
  id: 'inc-hpc-002-1-breaker',
  key: 'breaker-open-under-load',
  rule: 'breaker-open-under-load',
  subject: 'connector',
  chargerId: 'HPC-002',
  connectorId: '1',
  status: 'open',
  severity: 'critical',
  occurrence: 1,
  escalated: false,
  firstFindingAt: '2026-11-22T03:10:00.000Z',
  lastFindingAt: '2026-11-22T03:10:00.000Z',
  openedAt: '2026-11-22T03:10:00.000Z',
  sessionIds: ['5001'],
  failedSinceNotice: [],
  failedSinceNoticeCount: 0,
  cleanSessions: [],
  latest: finding,
  context: [],
  notified: { openAt: '2026-11-22T03:15:00.000Z', severity: 'critical' },
};

const notice: HistoryNotice = {
  event: 'open',
  incident: openIncident.id,
  rule: openIncident.rule,
  subject: 'connector',
  chargerId: 'HPC-002',
  connectorId: '1',
  severity: 'critical',
  at: '2026-11-22T03:15:00.000Z',
  sessionIds: ['5001'],
  title: finding.title,
  occurrence: 1,
  runId: 'run-1',
};

/** What the notice must say, added up from DAYS by hand. */
function expectedHeadline(from: string, to: string) {
  const days = DAYS.filter((d) => d.date >= from && d.date <= to);
  const sum = (pick: (d: Day) => number) => days.reduce((total, d) => total + pick(d), 0);
  const sessions = sum((d) => d.sessions);
  return {
    sessions,
    kwh: sum((d) => d.wh) / 1000,
    success: (100 * sum((d) => d.successful)) / sessions,
    faultFree: (100 * sum((d) => d.faultFree)) / sessions,
  };
}

let s3: LocalS3;
let run: ReportRun;
let publish: PublishCommand['input'];

beforeAll(async () => {
  s3 = await startS3();
  const state = new S3State(s3.client, { bucket: s3.bucket, prefix: 'state/' });
  for (const date of new Set(DAYS.map((d) => d.date)))
    await state.saveDailyKpis(date, DAYS.filter((d) => d.date === date).map(kpiRow));
  const record: ConnectorIncidentState = {
    version: 1,
    chargerId: 'HPC-002',
    connectorId: '1',
    incidents: [openIncident],
    recent: [],
    seen: [],
    openings: {},
  };
  await state.commitDocument(
    { ...emptyDocument(), seq: 1, incidents: { [connectorKey(record)]: record } },
    undefined,
  );
  await s3.client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: 'archive/incidents/date=2026-11-22/run-run-1.jsonl',
      Body: `${JSON.stringify(notice)}\n`,
      ContentType: 'application/x-ndjson',
    }),
  );

  const sns = new SNSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const snsMock = mockClient(sns);
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  const handler = createReportHandler({
    env: {
      [REPORT_ENV.bucket]: s3.bucket,
      [REPORT_ENV.topic]: TOPIC,
      [REPORT_ENV.depot]: 'North <!channel> depot\u001b[31m',
    },
    s3: s3.client,
    sns,
    logger: new Logger({ serviceName: 'depot-watch-report', logLevel: 'SILENT' }),
    now: () => NOW,
  });
  run = await handler({});
  const calls = snsMock.commandCalls(PublishCommand);
  expect(calls).toHaveLength(1);
  publish = calls[0]?.args[0].input as PublishCommand['input'];
}, 60_000);

afterAll(async () => {
  await s3?.stop();
});

const bodies = () =>
  JSON.parse(publish.Message ?? '{}') as { default: string; email: string; https: string };

describe('the weekly report function', () => {
  it('reports on last Monday to Sunday for a Monday morning clock', () => {
    expect(run.period).toEqual(PERIOD);
    expect(run.key).toBe('health-reports/2026-11-16_2026-11-22.html');
  });

  it('writes the HTML page under health-reports/ as text/html in UTF-8', async () => {
    expect(await s3.keys('health-reports/')).toEqual(['health-reports/2026-11-16_2026-11-22.html']);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: run.key }));
    expect(head.ContentType).toBe('text/html; charset=utf-8');
    const page = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: run.key }));
    const html = (await page.Body?.transformToString('utf8')) ?? '';
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('2026-11-16');
  });

  it('links to that object with a GET presigned for 7 days', () => {
    const url = new URL(run.link);
    expect(url.pathname).toBe(`/${s3.bucket}/${run.key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('604800');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261123T060000Z');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(run.linkExpiresAt).toBe('2026-11-30T06:00:00.000Z');
  });

  it('publishes one JSON-structured message with a valid email subject', () => {
    expect(publish.TopicArn).toBe(TOPIC);
    expect(publish.MessageStructure).toBe('json');
    const subject = publish.Subject ?? '';
    expect(subject.length).toBeGreaterThan(0);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toContain('2026-11-16');
    expect(Object.keys(bodies()).sort()).toEqual(['default', 'email', 'https']);
  });

  it("emails this week's headline numbers, last week's, the link and the object's location", () => {
    const { email } = bodies();
    const now = expectedHeadline(PERIOD.from, PERIOD.to);
    const before = expectedHeadline('2026-11-09', '2026-11-15');
    expect(now.sessions).toBe(35);
    const line = (label: RegExp) => email.split('\n').find((l) => label.test(l)) ?? '';
    expect(line(/sessions/i)).toContain(String(now.sessions));
    expect(line(/sessions/i)).toContain(`+${now.sessions - before.sessions}`);
    expect(line(/sessions/i)).toContain(String(before.sessions));
    expect(line(/energy/i)).toContain(
      now.kwh.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 }),
    );
    expect(line(/energy/i)).toContain(
      before.kwh.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 }),
    );
    expect(line(/success/i)).toContain(now.success.toFixed(1));
    expect(line(/success/i)).toContain(before.success.toFixed(1));
    expect(line(/fault-free/i)).toContain(now.faultFree.toFixed(1));
    expect(line(/open incidents/i)).toMatch(/\b1\b/);
    expect(email).toContain(run.link);
    expect(email).toContain(`s3://${s3.bucket}/${run.key}`);
    expect(email).toMatch(/temporary credentials/);
  });

  it('clears the depot name of controls and Slack mentions', () => {
    const { email, https } = bodies();
    expect(email).not.toContain('\u001b');
    const chat = JSON.parse(https);
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
    });
    expect(chat.content.title).not.toContain('<!channel>');
    expect(chat.content.title).toContain('&lt;!channel&gt;');
    expect(chat.content.nextSteps.join('\n')).toContain(run.link);
  });

  it('gives machines the period, the numbers, the key and the link', () => {
    const body = JSON.parse(bodies().default);
    const now = expectedHeadline(PERIOD.from, PERIOD.to);
    expect(body).toMatchObject({
      kind: 'health-report',
      period: PERIOD,
      previous: { from: '2026-11-09', to: '2026-11-15' },
      key: run.key,
      link: run.link,
    });
    const sessions = body.headline.find((k: { key: string }) => k.key === 'sessions');
    expect(sessions).toMatchObject({ value: now.sessions, previousValue: 17 });
  });
});
