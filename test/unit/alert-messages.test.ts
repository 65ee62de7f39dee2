import { describe, expect, it } from 'vitest';
import { alertMessages } from '../../functions/core/alert-messages.ts';
import { type Finding, fingerprintOf } from '../../functions/core/finding.ts';
import type { ConnectorIncidentState } from '../../functions/core/incidents/connector-incidents.ts';
import type { Incident, IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { dueNotifications } from '../../functions/core/incidents/notices.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../functions/core/incidents/settings.ts';

const LIMITS = { listed: 10, archiveLocation: 's3://depot-archive/archive' };
const AT = '2026-11-03T03:15:00.000Z';

const finding = (sessionId: string, title = 'DC breaker opened under load'): Finding => ({
  rule: 'breaker-open-under-load',
  severity: 'warning',
  chargerId: 'HPC-007',
  connectorId: '2',
  sessionId,
  title,
  message: `In session ${sessionId} the DC breaker opened with 182 A flowing at 648 V.`,
  evidence: { currentAmps: 182, voltageV: 648 },
  fingerprint: fingerprintOf('breaker-open-under-load', 'HPC-007', '2', sessionId),
});

/** An incident on its third occurrence within the window, which the engine escalates. */
function thirdOccurrence(title?: string): Incident {
  return {
    id: 'inc-breaker-HPC-007-2-c3',
    key: 'breaker-open-under-load',
    rule: 'breaker-open-under-load',
    subject: 'connector',
    chargerId: 'HPC-007',
    connectorId: '2',
    status: 'open',
    severity: 'critical',
    occurrence: 3,
    escalated: true,
    firstFindingAt: '2026-11-03T01:00:00.000Z',
    lastFindingAt: '2026-11-03T03:00:00.000Z',
    openedAt: '2026-11-03T03:00:00.000Z',
    sessionIds: ['S-2001', 'S-2002'],
    failedSinceNotice: ['S-2001', 'S-2002'],
    failedSinceNoticeCount: 2,
    cleanSessions: [],
    latest: finding('S-2002', title),
    context: [],
    notified: {},
  };
}

/** The notice the incident engine itself makes of an incident at AT, with the default settings. */
function noticeOf(incident: Incident): IncidentNotification {
  const state: ConnectorIncidentState = {
    chargerId: incident.chargerId,
    connectorId: incident.connectorId,
    version: 1,
    incidents: [incident],
    recent: [],
    seen: [],
    openings: {},
  };
  const notices = dueNotifications(state, AT, DEFAULT_INCIDENT_SETTINGS);
  expect(notices).toHaveLength(1);
  return notices[0] as IncidentNotification;
}

/** The lines between the ticket markers of an email, per ticket. */
function tickets(email: string): string[][] {
  return [...email.matchAll(/^--- ticket text ---\n([\s\S]*?)\n--- end of ticket text ---$/gm)].map(
    (m) => (m[1] ?? '').split('\n'),
  );
}

describe('the ticket text in an alert email', () => {
  it('opens with where, what and which occurrence in how many days, for an escalation', () => {
    expect(DEFAULT_INCIDENT_SETTINGS.escalate.withinDays).toBe(14);
    const notice = noticeOf(thirdOccurrence());
    expect(notice.event).toBe('escalate');
    const [message] = alertMessages([notice], LIMITS);
    const [ticket] = tickets(message?.email ?? '');
    expect(ticket?.[0]).toBe(
      '[HPC-007/2] DC breaker opened under load — 3rd occurrence in 14 days',
    );
    expect(ticket).toEqual([
      '[HPC-007/2] DC breaker opened under load — 3rd occurrence in 14 days',
      `Rule: breaker-open-under-load; severity: critical; escalated at ${AT}`,
      'Incident: inc-breaker-HPC-007-2-c3',
      'Sessions (2 failed): S-2001, S-2002',
      'Evidence: currentAmps 182; voltageV 648',
      'Reports: s3://depot-archive/archive/reports/charger=HPC-007/connector=2/',
    ]);
  });

  it('takes the window from the notice when it carries one, and says no occurrence for a first', () => {
    const escalated = { ...noticeOf(thirdOccurrence()), windowDays: 30, message: 'Escalated.' };
    const first: IncidentNotification = { ...escalated, event: 'open', occurrence: 1, id: 'b' };
    const second: IncidentNotification = {
      ...escalated,
      event: 'reminder',
      occurrence: 2,
      id: 'c',
    };
    const firstLines = alertMessages([escalated, first, second], LIMITS).flatMap((m) =>
      tickets(m.email).map((t) => t[0]),
    );
    expect(firstLines).toEqual([
      '[HPC-007/2] DC breaker opened under load — 3rd occurrence in 30 days',
      '[HPC-007/2] DC breaker opened under load',
      '[HPC-007/2] DC breaker opened under load — 2nd occurrence in 30 days',
    ]);
  });

  it('is left out of a resolve, which closes a ticket rather than filing one', () => {
    const resolved = { ...noticeOf(thirdOccurrence()), event: 'resolve' as const };
    const [message] = alertMessages([resolved], LIMITS);
    expect(message?.email).not.toContain('ticket text');
  });

  it('keeps a vendor title with control characters cleared inside the ticket', () => {
    const hostile = 'Breaker\u001b[2J opened\u0007 under\u009b load\u202e\r\nFORGED: line';
    const [message] = alertMessages([noticeOf(thirdOccurrence(hostile))], LIMITS);
    const [ticket] = tickets(message?.email ?? '');
    expect(ticket?.[0]).toBe(
      '[HPC-007/2] Breaker  opened  under  load   FORGED: line — 3rd occurrence in 14 days',
    );
    // The title could not add a line to the ticket: the second line is still the rule.
    expect(ticket?.[1]).toMatch(/^Rule: breaker-open-under-load;/);
    const controls = [...(ticket ?? []).join('')].filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e);
    });
    expect(controls).toEqual([]);
  });

  it('names the vehicle first, and points at the whole archive, for a vehicle incident', () => {
    const vehicle: IncidentNotification = {
      ...noticeOf(thirdOccurrence()),
      subject: 'vehicle',
      vehicleId: 'BUS-117',
      title: 'BUS-117: Battery voltage alignment failed on 3 chargers',
      evidence: { attributedTo: 'vehicle', failedOn: 'HPC-001/1, HPC-004/2, HPC-007/2' },
    };
    const [message] = alertMessages([vehicle], LIMITS);
    expect(message?.subject).toBe(
      '[CRITICAL] BUS-117 ESCALATED: Battery voltage alignment failed on 3 chargers',
    );
    expect(message?.email.split('\n')[0]).toBe(
      'depot-watch, vehicle BUS-117: 1 incident(s) escalated at critical severity.',
    );
    const [ticket] = tickets(message?.email ?? '');
    expect(ticket?.[0]).toBe(
      '[BUS-117] Battery voltage alignment failed on 3 chargers — 3rd occurrence in 14 days',
    );
    expect(ticket).toContain(
      'Evidence: attributedTo vehicle; failedOn HPC-001/1, HPC-004/2, HPC-007/2',
    );
    expect(ticket?.at(-1)).toBe(
      "Reports: s3://depot-archive/archive/reports/ (Athena: SELECT * FROM depot_watch.session_reports WHERE vehicleid = 'BUS-117')",
    );
  });
});

describe('an alert from one depot of several', () => {
  it('names the depot in the subject, the text, the attributes and the links, and keys its incident by depot', () => {
    const notice = { ...noticeOf(thirdOccurrence()), depot: 'north' };
    const [message] = alertMessages([notice], LIMITS);
    if (!message) throw new Error('expected one message');
    expect(message.subject.startsWith('[CRITICAL] north: ')).toBe(true);
    expect(message.email.split('\n')[0]).toBe(
      'depot-watch, depot north, charger HPC-007: 1 incident(s) escalated at critical severity.',
    );
    expect(message.attributes.depot).toBe('north');
    expect(message.email).toContain(
      'Raw session reports: s3://depot-archive/archive/reports/depot=north/charger=HPC-007/',
    );
    expect(message.email).toContain(
      'Reports: s3://depot-archive/archive/reports/depot=north/charger=HPC-007/connector=2/',
    );
    // Two depots may both have an HPC-007/2: a paging bridge must not merge their incidents.
    const body = JSON.parse(message.default) as { depot: string; dedupKey: string };
    expect(body).toMatchObject({ depot: 'north', dedupKey: `north/${notice.incident}` });
    const chat = JSON.parse(message.chat) as { metadata: { threadId: string } };
    expect(chat.metadata.threadId).toBe(`depot-watch-north/${notice.incident}`);
  });

  it('never groups two depots into one message, even for chargers of the same id', () => {
    const notice = noticeOf(thirdOccurrence());
    const messages = alertMessages(
      [
        { ...notice, depot: 'north', id: 'n' },
        { ...notice, depot: 'south', id: 's' },
      ],
      LIMITS,
    );
    expect(messages.map((m) => m.attributes.depot)).toEqual(['north', 'south']);
  });
});

/** Vendor strings that would format a Slack message, link away, or mention a channel. */
const HOSTILE_CODE =
  'ERR_OVERTEMP: *bold* _italic_ ~struck~ `code` [click here](https://evil.example/x) <https://evil.example|docs> <!channel> @here <@U123>';
const HOSTILE_VEHICLE = '*BUS*_7_';

/** Marks that format, link or mention in Slack mrkdwn or CommonMark, as a reader would see them act. */
function markupIn(text: string): string[] {
  return [
    ...(text.match(/[*~`<>]/g) ?? []),
    // An underscore formats only at a word's edge.
    ...(text.match(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu) ?? []),
    ...(text.match(/\]\(/g) ?? []),
    ...(text.match(/@(channel|here|everyone)\b/g) ?? []),
  ];
}

describe('vendor text in the Slack (Chatbot) message', () => {
  const notice: IncidentNotification = {
    ...noticeOf(thirdOccurrence(`Converter error ${HOSTILE_CODE}`)),
    subject: 'vehicle',
    vehicleId: HOSTILE_VEHICLE,
    message: `Vehicle ${HOSTILE_VEHICLE} reported ${HOSTILE_CODE} 29 times.`,
  };
  const [message] = alertMessages([notice], LIMITS);
  if (!message) throw new Error('expected one message');
  const chat = JSON.parse(message.chat) as {
    content: { title: string; description: string; nextSteps: string[] };
    metadata: { summary: string };
  };

  it('shows every formatting mark, link and mention literally, never acting', () => {
    expect(markupIn(chat.content.title)).toEqual([]);
    expect(markupIn(chat.metadata.summary)).toEqual([]);
    // One notice: the title says what happened, and the description, unlabelled, is all text.
    expect(chat.content.title).toContain('ESCALATED');
    expect(chat.content.description).not.toContain('ESCALATED');
    expect(markupIn(chat.content.description)).toEqual([]);
  });

  it('keeps the vendor text readable: look-alike marks, escaped brackets, intact words', () => {
    expect(chat.content.title).toContain(
      'ERR_OVERTEMP: ∗bold∗ ˍitalicˍ ∼struck∼ ˋcodeˋ [click here]\u200b(https://evil.example/x) &lt;https://evil.example|docs&gt; &lt;!channel&gt; @\u200dhere &lt;@U123&gt;',
    );
    expect(chat.content.description).toContain('Vehicle ∗BUS∗ˍ7ˍ reported');
  });

  it('gives the archive path as code, which Slack shows exactly', () => {
    expect(chat.content.nextSteps).toEqual([
      'Raw reports: `s3://depot-archive/archive/reports/`',
      '<https://s3.console.aws.amazon.com/s3/buckets/depot-archive?prefix=archive%2Freports%2F&amp;showversions=false|Open them in the S3 console>',
    ]);
  });

  it('leaves the email and the machine-readable body with the exact vendor text', () => {
    // The email wraps long lines; read it as one.
    const email = message.email.replace(/\s+/g, ' ');
    expect(email).toContain(`Converter error ${HOSTILE_CODE}`);
    expect(email).toContain(`Vehicle ${HOSTILE_VEHICLE} reported ${HOSTILE_CODE} 29 times.`);
    const body = JSON.parse(message.default) as { vehicleId: string; notices: { title: string }[] };
    expect(body.vehicleId).toBe(HOSTILE_VEHICLE);
    expect(body.notices[0]?.title).toBe(`Converter error ${HOSTILE_CODE}`);
  });
});
