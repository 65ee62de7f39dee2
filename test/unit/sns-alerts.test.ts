import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { entrySize, SNS_MAX_BYTES, SnsAlerts } from '../../functions/adapters/sns-alerts.ts';
import type { Finding, Severity } from '../../functions/core/finding.ts';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:depot-watch-alerts';
const alerts = () =>
  new SnsAlerts(new SNSClient({ region: 'eu-west-1' }), {
    topicArn: TOPIC,
    archiveLocation: 's3://depot-archive/',
  });

function finding(
  n: number,
  severity: Severity = 'critical',
  chargerId = 'HPC-002',
  message = '',
): Finding {
  return {
    rule: n % 2 ? 'breaker-open-under-load' : 'ocpp-faulted',
    severity,
    chargerId,
    connectorId: '1',
    sessionId: String(1000 + n),
    title: `DC breaker opened under load: ${80 + n} A — ${chargerId}/1`,
    message:
      message ||
      `The DC breaker opened with ${80 + n} A flowing at 650 V. Inspect the breaker contacts.`,
    evidence: { currentAmps: 80 + n },
    fingerprint: `fp-${chargerId}-${severity}-${n}`,
  };
}

/** The AWS Chatbot custom notification schema (required: version, source, content.description). */
const chatbotNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().max(250).optional(),
    description: z.string().min(1).max(8_000),
    nextSteps: z.array(z.string()).optional(),
    keywords: z.array(z.string()).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().optional(),
      summary: z.string().optional(),
      eventType: z.string().optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const published = () =>
  sns
    .commandCalls(PublishBatchCommand)
    .flatMap((call) => call.args[0].input.PublishBatchRequestEntries ?? []);

describe('SNS alerts', () => {
  it('sends one message per charger and severity with a body per protocol', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const outcome = await alerts().publish([
      finding(1),
      finding(2),
      finding(3, 'warning'),
      finding(4, 'critical', 'HPC-009'),
    ]);
    expect(outcome.accepted).toHaveLength(4);
    const entries = published();
    expect(
      entries.map((e) => [
        e.MessageAttributes?.severity?.StringValue,
        e.MessageAttributes?.chargerId?.StringValue,
      ]),
    ).toEqual([
      ['critical', 'HPC-002'],
      ['critical', 'HPC-009'],
      ['warning', 'HPC-002'],
    ]);
    const [first] = entries;
    expect(first?.MessageStructure).toBe('json');
    expect(first?.MessageAttributes?.rule).toEqual({
      DataType: 'String.Array',
      StringValue: '["breaker-open-under-load","ocpp-faulted"]',
    });
    expect(sns.commandCalls(PublishBatchCommand)[0]?.args[0].input.TopicArn).toBe(TOPIC);
  });

  it('gives email readable text, chat a valid Chatbot notification, and everyone else JSON', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    await alerts().publish([finding(1)]);
    const [entry] = published();
    const bodies = JSON.parse(entry?.Message ?? '{}');
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'https']);

    expect(bodies.email).toContain('depot-watch found 1 critical finding(s) on charger HPC-002.');
    expect(bodies.email).toContain('[CRITICAL] DC breaker opened under load: 81 A');
    expect(bodies.email).toContain(
      'Raw session reports: s3://depot-archive/reports/charger=HPC-002/',
    );
    expect(bodies.email).not.toMatch(/[{}]/);

    const chat = chatbotNotification.parse(JSON.parse(bodies.https));
    expect(chat.content.title).toBe('🔴 DC breaker opened under load: 81 A — HPC-002/1');
    expect(chat.content.description).toContain('81 A flowing at 650 V');
    expect(chat.metadata?.threadId).toBe('depot-watch-HPC-002'); // one Slack thread per charger

    const machine = JSON.parse(bodies.default);
    expect(machine).toMatchObject({
      source: 'depot-watch',
      chargerId: 'HPC-002',
      severity: 'critical',
      findingCount: 1,
    });
    expect(machine.findings[0].fingerprint).toBe('fp-HPC-002-critical-1');
  });

  it('keeps the subject to 100 printable ASCII characters on one line', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const long = { ...finding(1), title: `Ladestation Süd — ${'x'.repeat(150)}\nsecond line` };
    await alerts().publish([long, finding(5, 'warning')]);
    for (const entry of published()) {
      expect(entry.Subject?.length).toBeLessThanOrEqual(100);
      expect(entry.Subject).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(published()[0]?.Subject).toMatch(/^\[CRITICAL\] Ladestation S\?d - x+\.\.\.$/);
    expect(published()[1]?.Subject).toBe(
      '[WARNING] DC breaker opened under load: 85 A - HPC-002/1',
    );
  });

  it('splits many findings into a bounded number of messages and batches within SNS limits', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const chargers = Array.from({ length: 12 }, (_, i) => `HPC-${String(i + 1).padStart(3, '0')}`);
    const many = chargers.flatMap((c) =>
      (['critical', 'warning'] as const).flatMap((s) =>
        Array.from({ length: 25 }, (_, n) => finding(n, s, c, 'x'.repeat(2_000))),
      ),
    );
    const outcome = await alerts().publish(many);
    expect(outcome.accepted).toHaveLength(many.length);
    const calls = sns
      .commandCalls(PublishBatchCommand)
      .map((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(published()).toHaveLength(24); // one per charger and severity
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const batch of calls) {
      expect(batch.length).toBeLessThanOrEqual(10);
      expect(batch.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(SNS_MAX_BYTES);
      expect(new Set(batch.map((e) => e.Id)).size).toBe(batch.length);
    }
    const email = JSON.parse(published()[0]?.Message ?? '{}').email as string;
    expect(email.match(/^\[CRITICAL\]/gm)).toHaveLength(10);
    expect(email).toContain('…and 15 more critical finding(s) on HPC-001 not listed here.');
  });

  it('lists fewer findings when a message would pass 256 KiB', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const huge = Array.from({ length: 10 }, (_, n) =>
      finding(n, 'critical', 'HPC-001', 'y'.repeat(20_000)),
    );
    await alerts().publish(huge);
    const [entry] = published();
    expect(entrySize(entry as PublishBatchRequestEntry)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(JSON.parse(entry?.Message ?? '{}').email).toMatch(/…and \d+ more critical finding\(s\)/);
  });

  it('reports the findings of a message SNS rejected as failed, the rest as accepted', async () => {
    sns.on(PublishBatchCommand).callsFake((input) => ({
      Successful: [],
      Failed: [
        {
          Id: input.PublishBatchRequestEntries[1].Id,
          Code: 'InternalError',
          SenderFault: false,
          Message: 'try again',
        },
      ],
    }));
    const outcome = await alerts().publish([finding(1), finding(2, 'warning'), finding(3, 'info')]);
    expect(outcome.accepted).toEqual(['fp-HPC-002-critical-1', 'fp-HPC-002-info-3']);
    expect(outcome.failed).toEqual([
      { fingerprint: 'fp-HPC-002-warning-2', error: 'InternalError: try again' },
    ]);
  });

  it('reports every finding as failed when the call itself fails', async () => {
    sns
      .on(PublishBatchCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const outcome = await alerts().publish([finding(1), finding(2, 'warning')]);
    expect(outcome.accepted).toEqual([]);
    expect(outcome.failed.map((f) => f.error)).toEqual([
      'ThrottlingException: Rate exceeded',
      'ThrottlingException: Rate exceeded',
    ]);
  });
});
