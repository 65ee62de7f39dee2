import { PublishBatchCommand, type PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { entrySize, SNS_MAX_BYTES, SnsAlerts } from '../../functions/adapters/sns-alerts.ts';
import type { Severity } from '../../functions/core/finding.ts';
import type {
  IncidentEvent,
  IncidentNotification,
} from '../../functions/core/incidents/incident.ts';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:depot-watch-alerts';
const alerts = () =>
  new SnsAlerts(new SNSClient({ region: 'eu-west-1' }), {
    topicArn: TOPIC,
    archiveLocation: 's3://depot-archive/',
  });

/** A notice as the incident engine makes them; `n` tells incidents and sessions apart. */
function notice(
  n: number,
  severity: Severity = 'critical',
  chargerId = 'HPC-002',
  event: IncidentEvent = 'open',
  message = '',
): IncidentNotification {
  return {
    id: `inc-${chargerId}-${severity}-${n}:${event}:2026-11-02T06:00:00.000Z`,
    event,
    incident: `inc-${chargerId}-${severity}-${n}`,
    rule: n % 2 ? 'breaker-open-under-load' : 'ocpp-faulted',
    subject: 'connector',
    chargerId,
    connectorId: '1',
    severity,
    at: '2026-11-02T06:00:00.000Z',
    sessionIds: [String(1000 + n)],
    failedSessions: 1,
    occurrence: 1,
    title: `DC breaker opened under load: ${80 + n} A — ${chargerId}/1`,
    message:
      message ||
      `Opened: The DC breaker opened with ${80 + n} A flowing at 650 V. Inspect the breaker contacts.`,
    evidence: { currentAmps: 80 + n },
    context: [],
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
const bodiesOf = (entry: PublishBatchRequestEntry | undefined) =>
  JSON.parse(entry?.Message ?? '{}') as { default: string; email: string; https: string };

describe('SNS alerts', () => {
  it('carries the depot as an attribute a subscription can filter on, and only where there is one', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    await alerts().publish([{ ...notice(1), depot: 'north' }, notice(2, 'critical', 'HPC-009')]);
    expect(published().map((e) => e.MessageAttributes?.depot)).toEqual([
      { DataType: 'String', StringValue: 'north' },
      undefined,
    ]);
  });

  it('sends one message per charger and severity, with event and rule attributes for filters', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const outcome = await alerts().publish([
      notice(1),
      notice(2, 'critical', 'HPC-002', 'resolve'),
      notice(3, 'warning'),
      notice(4, 'critical', 'HPC-009'),
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
    expect(first?.MessageAttributes?.event).toEqual({
      DataType: 'String.Array',
      StringValue: '["open","resolve"]',
    });
    expect(sns.commandCalls(PublishBatchCommand)[0]?.args[0].input.TopicArn).toBe(TOPIC);
  });

  it('sends a vehicle notice apart from a connector notice of the same charger, each with its own attributes', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const connector = { ...notice(1), vehicleId: 'BUS-204' };
    const vehicle: IncidentNotification = {
      ...notice(3),
      rule: 'battery-misalignment',
      subject: 'vehicle',
      vehicleId: 'BUS-117',
      title: 'BUS-117: Battery voltage alignment failed on 3 chargers',
    };
    const otherVehicle: IncidentNotification = {
      ...vehicle,
      id: 'inc-bus-118:open:2026-11-02T06:00:00.000Z',
      incident: 'inc-bus-118',
      vehicleId: 'BUS-118',
      title: 'BUS-118: Battery voltage alignment failed on 2 chargers',
    };
    const outcome = await alerts().publish([connector, vehicle, otherVehicle]);
    expect(outcome.accepted.sort()).toEqual([connector.id, vehicle.id, otherVehicle.id].sort());
    const entries = published();
    expect(entries).toHaveLength(3);
    const attributes = entries.map((e) =>
      Object.fromEntries(
        Object.entries(e.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      ),
    );
    expect(attributes).toEqual([
      {
        severity: 'critical',
        chargerId: 'HPC-002',
        rule: '["breaker-open-under-load"]',
        event: '["open"]',
        subject: '["connector"]',
        vehicleId: '["BUS-204"]',
      },
      {
        severity: 'critical',
        chargerId: 'HPC-002',
        rule: '["battery-misalignment"]',
        event: '["open"]',
        subject: '["vehicle"]',
        vehicleId: '["BUS-117"]',
      },
      {
        severity: 'critical',
        chargerId: 'HPC-002',
        rule: '["battery-misalignment"]',
        event: '["open"]',
        subject: '["vehicle"]',
        vehicleId: '["BUS-118"]',
      },
    ]);
    expect(entries[1]?.MessageAttributes?.vehicleId?.DataType).toBe('String.Array');
    expect(entries.map((e) => e.Subject)).toEqual([
      '[CRITICAL] OPEN: DC breaker opened under load: 81 A - HPC-002/1',
      '[CRITICAL] BUS-117 OPEN: Battery voltage alignment failed on 3 chargers',
      '[CRITICAL] BUS-118 OPEN: Battery voltage alignment failed on 2 chargers',
    ]);
    const chat = chatbotNotification.parse(JSON.parse(bodiesOf(entries[1]).https));
    expect(chat.content.title).toBe(
      '🔴 BUS-117 OPEN: Battery voltage alignment failed on 3 chargers',
    );
    expect(chat.metadata?.additionalContext).toMatchObject({ vehicleId: 'BUS-117' });
    expect(bodiesOf(entries[1]).email).toMatch(/^depot-watch, vehicle BUS-117: /);
    expect(JSON.parse(bodiesOf(entries[1]).default)).toMatchObject({ vehicleId: 'BUS-117' });
  });

  it('brings an attributed notice to both audiences: the vehicle team and the technicians', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const attributed: IncidentNotification = {
      ...notice(3, 'critical', 'HPC-002', 'attributed'),
      rule: 'battery-misalignment',
      subject: 'vehicle',
      vehicleId: 'BUS-117',
      title: 'BUS-117: Battery voltage alignment failed on 3 chargers',
      explains: [
        {
          incident: 'inc-a',
          chargerId: 'HPC-002',
          connectorId: '1',
          rule: 'battery-misalignment',
          sessionIds: ['1003'],
        },
      ],
    };
    await alerts().publish([attributed]);
    const [entry] = published();
    // The technicians' subscriptions take a message naming a connector; the vehicle team's, a vehicle.
    expect(JSON.parse(entry?.MessageAttributes?.subject?.StringValue ?? '[]').sort()).toEqual([
      'connector',
      'vehicle',
    ]);
    expect(entry?.Subject).toBe(
      '[CRITICAL] BUS-117 ATTRIBUTED: Battery voltage alignment failed on 3 chargers',
    );
  });

  it('leaves the vehicleId attribute out when no notice names a vehicle', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    await alerts().publish([notice(1)]);
    expect(Object.keys(published()[0]?.MessageAttributes ?? {}).sort()).toEqual([
      'chargerId',
      'event',
      'rule',
      'severity',
      'subject',
    ]);
  });

  it('puts a ticket block, with the occurrence and window, into the email of an escalation', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const escalated: IncidentNotification = {
      ...notice(1, 'critical', 'HPC-007', 'escalate'),
      connectorId: '2',
      occurrence: 3,
      windowDays: 14,
      title: 'DC breaker opened under load',
    };
    await alerts().publish([escalated]);
    const email = bodiesOf(published()[0]).email;
    expect(email).toContain(
      '--- ticket text ---\n[HPC-007/2] DC breaker opened under load — 3rd occurrence in 14 days\n',
    );
    expect(email).toContain('Reports: s3://depot-archive/reports/charger=HPC-007/connector=2/');
  });

  it('names the event in the subject, the Slack title and the machine body, keyed by incident', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    await alerts().publish([notice(1)]);
    const bodies = bodiesOf(published()[0]);
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'https']);
    expect(published()[0]?.Subject).toBe(
      '[CRITICAL] OPEN: DC breaker opened under load: 81 A - HPC-002/1',
    );

    expect(bodies.email).toContain('[OPEN · CRITICAL] DC breaker opened under load: 81 A');
    expect(bodies.email).toContain('Incident inc-HPC-002-critical-1.');
    expect(bodies.email).toContain(
      'Raw session reports: s3://depot-archive/reports/charger=HPC-002/',
    );
    expect(bodies.email).not.toMatch(/[{}]/);

    const chat = chatbotNotification.parse(JSON.parse(bodies.https));
    expect(chat.content.title).toBe('🔴 OPEN: DC breaker opened under load: 81 A — HPC-002/1');
    expect(chat.content.description).toContain('81 A flowing at 650 V');
    // One Slack thread per incident: its reminders and resolve land under the open.
    expect(chat.metadata?.threadId).toBe('depot-watch-inc-HPC-002-critical-1');

    const machine = JSON.parse(bodies.default);
    expect(machine).toMatchObject({
      source: 'depot-watch',
      chargerId: 'HPC-002',
      severity: 'critical',
      dedupKey: 'inc-HPC-002-critical-1',
      event: 'open',
      noticeCount: 1,
    });
    expect(machine.notices[0]).toMatchObject({
      dedupKey: 'inc-HPC-002-critical-1',
      action: 'trigger',
      sessionIds: ['1001'],
    });
  });

  it('keeps the incident id across open, reminder and resolve, and tells a bridge to resolve', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    for (const event of ['open', 'reminder', 'resolve'] as const) {
      await alerts().publish([notice(7, 'warning', 'HPC-002', event)]);
    }
    const entries = published();
    expect(entries.map((e) => e.Subject?.slice(0, e.Subject.indexOf(':') + 1))).toEqual([
      '[WARNING] OPEN:',
      '[WARNING] STILL OPEN:',
      '[WARNING] RESOLVED:',
    ]);
    const machines = entries.map((e) => JSON.parse(bodiesOf(e).default));
    expect(machines.map((m) => [m.dedupKey, m.notices[0].action])).toEqual([
      ['inc-HPC-002-warning-7', 'trigger'],
      ['inc-HPC-002-warning-7', 'trigger'],
      ['inc-HPC-002-warning-7', 'resolve'],
    ]);
    const threads = entries.map((e) => JSON.parse(bodiesOf(e).https).metadata.threadId);
    expect(new Set(threads).size).toBe(1);
    expect(JSON.parse(bodiesOf(entries[2]).https).content.title).toMatch(/^✅ RESOLVED: /);
  });

  it('keeps the subject to 100 printable ASCII characters on one line', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const long = { ...notice(1), title: `Ladestation Süd — ${'x'.repeat(150)}\nsecond line` };
    await alerts().publish([long, notice(5, 'warning')]);
    for (const entry of published()) {
      expect(entry.Subject?.length).toBeLessThanOrEqual(100);
      expect(entry.Subject).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(published()[0]?.Subject).toMatch(/^\[CRITICAL\] OPEN: Ladestation S\?d - x+\.\.\.$/);
  });

  it('shows vendor text as data: no Slack mentions or links, no terminal escapes in email', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const hostile = notice(
      1,
      'critical',
      'HPC-002',
      'open',
      'Error code <!channel> <http://evil.example|click> & \u001b[2J\u001b]0;pwned\u0007 @here done',
    );
    await alerts().publish([hostile]);
    const bodies = bodiesOf(published()[0]);
    const chat = JSON.parse(bodies.https);
    expect(chat.content.description).not.toMatch(/<!channel>|<http|(^|\s)@here\b/);
    expect(chat.content.description).toContain('&lt;!channel&gt;');
    expect(chat.content.description).toContain('&amp;');
    const controls = [...bodies.email].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'));
    expect(controls).toEqual([]);
    expect(bodies.email).not.toContain('pwned\u0007');
  });

  it('splits many notices into a bounded number of messages and batches within SNS limits', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const chargers = Array.from({ length: 12 }, (_, i) => `HPC-${String(i + 1).padStart(3, '0')}`);
    const many = chargers.flatMap((c) =>
      (['critical', 'warning'] as const).flatMap((s) =>
        Array.from({ length: 25 }, (_, n) => notice(n, s, c, 'open', 'x'.repeat(1_400))),
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
    const email = bodiesOf(published()[0]).email;
    expect(email.match(/^\[OPEN · CRITICAL\]/gm)).toHaveLength(10);
    expect(email).toContain('…and 15 more critical notice(s) on HPC-001 not listed here.');
    expect(JSON.parse(bodiesOf(published()[0]).default).notListed).toHaveLength(15);
  });

  it('lists fewer notices when a message would pass 256 KiB', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    const huge = Array.from({ length: 10 }, (_, n) => ({
      ...notice(n, 'critical', 'HPC-001'),
      evidence: { detail: 'y'.repeat(40_000) },
    }));
    await alerts().publish(huge);
    const [entry] = published();
    expect(entrySize(entry as PublishBatchRequestEntry)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(bodiesOf(entry).email).toMatch(/…and \d+ more critical notice\(s\)/);
  });

  it('reports the notices of a message SNS rejected as failed, the rest as accepted', async () => {
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
    const [a, b, c] = [notice(1), notice(2, 'warning'), notice(3, 'info')];
    const outcome = await alerts().publish([a, b, c]);
    expect(outcome.accepted).toEqual([a.id, c.id]);
    expect(outcome.failed).toEqual([{ id: b.id, error: 'InternalError: try again' }]);
  });

  it('reports every notice as failed when the call itself fails', async () => {
    sns
      .on(PublishBatchCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const outcome = await alerts().publish([notice(1), notice(2, 'warning')]);
    expect(outcome.accepted).toEqual([]);
    expect(outcome.failed.map((f) => f.error)).toEqual([
      'ThrottlingException: Rate exceeded',
      'ThrottlingException: Rate exceeded',
    ]);
  });
});
