import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertSinkOf } from '../../../functions/notifiers/registry.ts';
import { notice, testContext } from '../../helpers/notices.ts';
import {
  opsgenieStandIn,
  slackStandIn,
  teamsStandIn,
  webhookStandIn,
} from '../../helpers/service-stand-ins.ts';

const opsgenie = opsgenieStandIn('genie-key-1');
const teams = teamsStandIn();
const slack = slackStandIn();
const webhook = webhookStandIn('hmac-key-1');
const standIns = [opsgenie.standIn, teams, slack, webhook];

beforeAll(() => Promise.all(standIns.map((s) => s.start())));
afterAll(() => Promise.all(standIns.map((s) => s.stop())));
afterEach(() => {
  for (const s of standIns) s.received.length = 0;
});

const ESC = '\u001b';
type AdaptiveCard = { body: { text?: string }[]; actions: { url: string }[] };
type TeamsMessage = { attachments: { content: AdaptiveCard }[] };
type SlackMessage = { blocks: { text?: { text: string } }[] };

/** Vendor text that would mention a channel, format, link or move the cursor if sent raw. */
const HOSTILE = 'Fault <!channel> *ERR* _x_ [click](https://evil.example) \u001b[2J';

describe('the Opsgenie channel', () => {
  const channel = () =>
    alertSinkOf(
      [{ type: 'opsgenie', apiKey: 'genie-key-1', url: opsgenie.standIn.url }],
      testContext(),
    );

  it('creates an alert whose alias is the incident, and closes it by alias on resolve', async () => {
    const depotNotice = notice({ depot: 'north' });
    expect((await channel().publish([depotNotice])).failed).toEqual([]);
    const [alert] = opsgenie.standIn.bodies();
    expect(alert).toMatchObject({
      alias: 'north:inc-breaker-HPC-007-2',
      priority: 'P1',
      entity: 'north HPC-007/2',
    });
    expect(String(alert?.description)).toContain(
      'https://s3.console.aws.amazon.com/s3/buckets/depot-archive?prefix=',
    );
    expect(opsgenie.alerts.get('north:inc-breaker-HPC-007-2')).toBe('open');
    await channel().publish([notice({ depot: 'north', event: 'resolve' })]);
    expect(opsgenie.standIn.received[1]?.path).toBe(
      '/v2/alerts/north%3Ainc-breaker-HPC-007-2/close?identifierType=alias',
    );
    expect(opsgenie.alerts.get('north:inc-breaker-HPC-007-2')).toBe('closed');
  });

  it('fails on a refused key without trying the rest, and never names the key', async () => {
    const wrong = alertSinkOf(
      [{ type: 'opsgenie', apiKey: 'not-the-key', url: opsgenie.standIn.url }],
      testContext(),
    );
    const outcome = await wrong.publish([notice(), notice({ incident: 'inc-2' })]);
    expect(opsgenie.standIn.received).toHaveLength(1);
    expect(outcome.failed[0]?.error).toMatch(
      /^opsgenie: create inc-breaker-HPC-007-2: HTTP 401, refused/,
    );
    expect(outcome.failed[1]?.error).toMatch(/^opsgenie: not sent, the channel is out of reach/);
    expect(JSON.stringify(outcome)).not.toContain('not-the-key');
  });
});

describe('the Teams channel', () => {
  const channel = () =>
    alertSinkOf([{ type: 'teams', url: `${teams.url}/workflows/abc` }], testContext());

  it('posts an Adaptive Card the Workflows webhook accepts, with Markdown in vendor text defused', async () => {
    const open = notice({ title: HOSTILE });
    expect(await channel().publish([open])).toEqual({ accepted: [open.id], failed: [] });
    const card = teams.bodies<TeamsMessage>()[0]?.attachments[0]?.content as AdaptiveCard;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const headline = card.body[0]?.text ?? '';
    expect(headline).not.toMatch(/[*_[\]]/);
    expect(headline).not.toContain(ESC);
    expect(headline).toContain('∗ERR∗');
    expect(card.actions[0]).toMatchObject({ type: 'Action.OpenUrl', title: 'Session reports' });
    expect(card.actions[0]?.url).toMatch(/^https:\/\/s3\.console\.aws\.amazon\.com\//);
    expect(JSON.stringify(card)).toContain(
      'depot-watch incidents --incident inc-breaker-HPC-007-2',
    );
  });

  it('treats a 2xx with an error page as a failure', async () => {
    teams.next({ status: 200, body: 'Webhook message delivery failed with error: 413' });
    const outcome = await channel().publish([notice()]);
    expect(outcome.failed[0]?.error).toContain('malformed answer');
    // The URL is the secret: its path never shows.
    expect(outcome.failed[0]?.error).not.toContain('/workflows/abc');
  });
});

describe('the Slack channel', () => {
  const channel = () =>
    alertSinkOf(
      [{ type: 'slack', url: { env: 'SLACK_URL' } }],
      testContext({
        secrets: { env: { SLACK_URL: `${slack.url}/services/T0/B0/secret` } },
      }),
    );

  it('posts Block Kit with the title once, vendor text escaped for mrkdwn', async () => {
    const open = notice({ message: HOSTILE });
    expect((await channel().publish([open])).failed).toEqual([]);
    const message = slack.bodies<SlackMessage>()[0] as SlackMessage;
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const section = message.blocks[1]?.text?.text ?? '';
    expect(section).toContain('&lt;!channel&gt;');
    expect(section).not.toMatch(/<!channel>|\*ERR\*/);
    expect(section).not.toContain(ESC);
    expect(section).not.toContain(open.title);
    expect(JSON.stringify(message.blocks[3])).toContain('<https://s3.console.aws.amazon.com/');
  });

  it('fails when Slack does not answer "ok", and when the URL variable is unset', async () => {
    slack.next({ status: 200, body: 'maybe' });
    expect((await channel().publish([notice()])).failed[0]?.error).toContain(
      'malformed answer: not "ok"',
    );
    const unset = alertSinkOf([{ type: 'slack', url: { env: 'NOT_SET_ANYWHERE' } }], testContext());
    expect((await unset.publish([notice()])).failed[0]?.error).toBe(
      'slack: environment variable NOT_SET_ANYWHERE is not set',
    );
  });
});

describe('the generic webhook', () => {
  const channel = (key: string) =>
    alertSinkOf([{ type: 'webhook', url: `${webhook.url}/hook`, signingKey: key }], testContext());

  it('posts the documented JSON body with a signature the receiver verifies', async () => {
    const resolve = notice({ event: 'resolve' });
    expect((await channel('hmac-key-1').publish([resolve])).failed).toEqual([]);
    expect(webhook.bodies()[0]).toMatchObject({
      version: '1',
      source: 'depot-watch',
      status: 'resolved',
      event: 'resolve',
      dedupKey: resolve.incident,
      notice: { id: resolve.id, title: resolve.title },
      links: { command: `depot-watch incidents --incident ${resolve.incident}` },
    });
    expect(webhook.received[0]?.headers['x-depot-watch-notice']).toBe(resolve.id);
  });

  it('is refused with a wrong key', async () => {
    const outcome = await channel('another-key').publish([notice()]);
    expect(outcome.failed[0]?.error).toContain('HTTP 401, refused: bad signature');
  });
});
