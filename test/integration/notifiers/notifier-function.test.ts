import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertMessages } from '../../../functions/core/alert-messages.ts';
import type { IncidentNotification } from '../../../functions/core/incidents/incident.ts';
import {
  createNotifierHandler,
  NoticesUndelivered,
} from '../../../functions/lambda/notifier-handler.ts';
import { FAST_DELIVERY, notice } from '../../helpers/notices.ts';
import { pagerDutyStandIn, teamsStandIn } from '../../helpers/service-stand-ins.ts';

const KEY = 'PD-ROUTING-KEY-SECRET-VALUE';
const pagerDuty = pagerDutyStandIn(KEY);
const teams = teamsStandIn();
const lines: string[] = [];
const logger = {
  info: (message: string, fields: unknown) => lines.push(`${message} ${JSON.stringify(fields)}`),
  error: (message: string, fields: unknown) => lines.push(`${message} ${JSON.stringify(fields)}`),
} as unknown as Logger;

beforeAll(() => Promise.all([pagerDuty.standIn.start(), teams.start()]));
afterAll(() => Promise.all([pagerDuty.standIn.stop(), teams.stop()]));
beforeEach(() => {
  lines.length = 0;
  pagerDuty.standIn.received.length = 0;
  teams.received.length = 0;
});

/** The function as the stack configures it: channels with secrets by reference only. */
function handler() {
  return createNotifierHandler({
    env: {
      DEPOT_WATCH_NOTIFIERS: JSON.stringify([
        {
          type: 'pagerduty',
          routingKey: { secret: 'depot-watch/pagerduty' },
          url: pagerDuty.standIn.url,
        },
        { type: 'teams', url: { secret: 'depot-watch/teams' } },
      ]),
      DEPOT_WATCH_ARCHIVE_LOCATION: 's3://depot-archive/archive',
      DEPOT_WATCH_CONFIG_NAME: 'depot.json',
      AWS_REGION: 'eu-west-1',
    },
    logger,
    readSecret: async (id) => (id === 'depot-watch/pagerduty' ? KEY : `${teams.url}/workflow`),
    sleep: async () => {},
  });
}

/** The SNS event of the alert messages the scan publishes for these notices. */
function snsEvent(notices: IncidentNotification[], listed = 10): SNSEvent {
  const messages = alertMessages(notices, {
    listed,
    archiveLocation: 's3://depot-archive/archive',
  });
  return {
    Records: messages.map((m) => ({ Sns: { Message: m.default } })),
  } as unknown as SNSEvent;
}

describe('the notifier function', () => {
  it('delivers listed and counted notices to every channel, with console links', async () => {
    const notices = ['a', 'b', 'c'].map((id) => notice({ incident: `inc-${id}` }));
    expect(await handler()(snsEvent(notices, 1))).toEqual({ delivered: 3 });
    expect(pagerDuty.standIn.bodies().map((e) => e.dedup_key)).toEqual(['inc-a', 'inc-b', 'inc-c']);
    expect(teams.received).toHaveLength(3);
    expect(teams.received[0]?.body).toContain('region=eu-west-1');
    expect(teams.received[0]?.body).toContain(
      'depot-watch incidents --config depot.json --incident inc-a',
    );
  });

  it('fails the invocation when a channel fails, and its retry goes only where the notice is missing', async () => {
    const fn = handler();
    const event = snsEvent([notice()]);
    pagerDuty.standIn.next(
      ...Array.from({ length: FAST_DELIVERY.attempts }, () => ({ status: 503 })),
    );
    await expect(fn(event)).rejects.toThrow(NoticesUndelivered);
    expect(teams.received).toHaveLength(1);
    pagerDuty.standIn.clearQueue();
    await fn(event);
    expect(teams.received).toHaveLength(1);
    expect(pagerDuty.alerts.get(notice().incident)).toBe('triggered');
    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain('/workflow');
  });

  it('drops a trigger that arrives after the resolve of the same run', async () => {
    const fn = handler();
    const open = notice({ incident: 'inc-late' });
    await fn(snsEvent([{ ...open, event: 'resolve', id: 'resolve-1' }]));
    await fn(snsEvent([open]));
    expect(pagerDuty.standIn.bodies().map((e) => e.event_action)).toEqual(['resolve']);
  });
});
