import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSinkOf } from '../../../functions/notifiers/registry.ts';
import { notice, testContext } from '../../helpers/notices.ts';
import { webhookStandIn } from '../../helpers/service-stand-ins.ts';

const webhook = webhookStandIn('k');
let closedPort: number;

beforeAll(async () => {
  await webhook.start();
  // A port nothing listens on: taken, then given back.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});
afterAll(() => webhook.stop());

describe('several channels at once', () => {
  it('deliver to the reachable ones when one is down, and report the notice failed for a retry', async () => {
    const sink = alertSinkOf(
      [
        { type: 'pagerduty', routingKey: 'key', url: `http://127.0.0.1:${closedPort}/v2/enqueue` },
        { type: 'webhook', url: `${webhook.url}/hook`, signingKey: 'k' },
      ],
      testContext(),
    );
    const started = Date.now();
    const open = notice();
    const outcome = await sink.publish([open]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(webhook.received).toHaveLength(1);
    expect(outcome.accepted).toEqual([]);
    expect(outcome.failed).toEqual([
      {
        id: open.id,
        error: expect.stringMatching(
          /^pagerduty: trigger .*connection failed: nothing is listening at 127\.0\.0\.1/,
        ),
      },
    ]);
  });

  it('refuse a URL that would send a key in the clear', async () => {
    const sink = alertSinkOf(
      [{ type: 'slack', url: 'http://hooks.example.com/services/x' }],
      testContext(),
    );
    expect((await sink.publish([notice()])).failed[0]?.error).toContain('the URL is not https://');
  });
});
