import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertSinkOf } from '../../../functions/notifiers/registry.ts';
import { notice, testContext } from '../../helpers/notices.ts';
import { pagerDutyStandIn } from '../../helpers/service-stand-ins.ts';
import { json } from '../../helpers/stand-in.ts';

const KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';
const { standIn, alerts } = pagerDutyStandIn(KEY);

beforeAll(() => standIn.start());
afterAll(() => standIn.stop());
beforeEach(() => {
  standIn.received.length = 0;
  alerts.clear();
});

/** A PagerDuty channel against the stand-in, with `extra` config fields. */
function pagerDuty(extra: Record<string, unknown> = {}, context = testContext()) {
  return alertSinkOf(
    [{ type: 'pagerduty', routingKey: KEY, url: `${standIn.url}/v2/enqueue`, ...extra }],
    context,
  );
}

describe('the PagerDuty channel', () => {
  it('triggers on open with the fields Events API v2 requires, evidence and an https link', async () => {
    const open = notice();
    expect(await pagerDuty().publish([open])).toEqual({ accepted: [open.id], failed: [] });
    const [event] = standIn.bodies<{ links: { href: string }[] }>();
    expect(event).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'inc-breaker-HPC-007-2',
      payload: {
        summary: 'HPC-007/2: OPEN: DC breaker opened under load',
        source: 'HPC-007/2',
        severity: 'critical',
        timestamp: open.at,
        class: 'breaker-open-under-load',
        custom_details: {
          currentAmps: '182',
          voltageV: '648',
          Incident: open.incident,
          show_incident: `depot-watch incidents --incident ${open.incident}`,
          reports: 's3://depot-archive/archive/reports/charger=HPC-007/connector=2/',
        },
      },
    });
    expect(event?.links[0]?.href).toBe(
      'https://s3.console.aws.amazon.com/s3/buckets/depot-archive?prefix=archive%2Freports%2Fcharger%3DHPC-007%2Fconnector%3D2%2F&showversions=false',
    );
    expect(alerts.get(open.incident)).toBe('triggered');
  });

  it('updates the same alert on reminder and escalate, and resolves it on resolve', async () => {
    const events = ['open', 'reminder', 'escalate', 'resolve'] as const;
    const notices = events.map((event, n) =>
      notice({ event, at: `2026-11-0${n + 3}T03:15:00.000Z` }),
    );
    const outcome = await pagerDuty().publish(notices);
    expect(outcome.failed).toEqual([]);
    expect(standIn.bodies().map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', 'inc-breaker-HPC-007-2'],
      ['trigger', 'inc-breaker-HPC-007-2'],
      ['trigger', 'inc-breaker-HPC-007-2'],
      ['resolve', 'inc-breaker-HPC-007-2'],
    ]);
    // A resolve carries only what the API needs.
    expect(Object.keys(standIn.bodies()[3] ?? {}).sort()).toEqual([
      'dedup_key',
      'event_action',
      'routing_key',
    ]);
    expect(alerts.get('inc-breaker-HPC-007-2')).toBe('resolved');
  });

  it('keys a depot’s incidents by depot and id, and resolves the incidents an attribution closes', async () => {
    const attributed = notice({
      event: 'attributed',
      subject: 'vehicle',
      vehicleId: 'BUS-117',
      depot: 'north',
      incident: 'inc-bus',
      explains: [
        {
          incident: 'inc-conn',
          chargerId: 'HPC-002',
          connectorId: '2',
          rule: 'battery-misalignment',
          sessionIds: [],
        },
      ],
    });
    await pagerDuty().publish([notice({ depot: 'north', incident: 'inc-conn' }), attributed]);
    expect(standIn.bodies().map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', 'north/inc-conn'],
      ['trigger', 'north/inc-bus'],
      ['resolve', 'north/inc-conn'],
    ]);
    expect(standIn.bodies()[1]?.payload).toMatchObject({ source: 'north BUS-117', group: 'north' });
  });

  it('routes by severity, yet always sends a resolve so that no alert stays triggered', async () => {
    const channel = pagerDuty({ route: { severities: ['critical'], subjects: ['connector'] } });
    const warning = notice({ severity: 'warning', incident: 'inc-w' });
    const vehicle = notice({ subject: 'vehicle', vehicleId: 'BUS-1', incident: 'inc-v' });
    const resolve = notice({ severity: 'warning', incident: 'inc-w', event: 'resolve' });
    const outcome = await channel.publish([warning, vehicle, resolve]);
    expect(outcome.accepted).toEqual([warning.id, vehicle.id, resolve.id]);
    expect(standIn.bodies().map((e) => e.event_action)).toEqual(['resolve']);
  });

  it('does not retry a 400, and names it without the routing key', async () => {
    const channel = alertSinkOf(
      [
        {
          type: 'pagerduty',
          routingKey: 'WRONG-KEY-THAT-IS-SECRET',
          url: `${standIn.url}/v2/enqueue`,
        },
      ],
      testContext(),
    );
    const outcome = await channel.publish([notice()]);
    expect(standIn.received).toHaveLength(1);
    expect(outcome.failed[0]?.error).toMatch(
      /^pagerduty: trigger inc-breaker-HPC-007-2: HTTP 400, refused: /,
    );
    expect(JSON.stringify(outcome)).not.toContain('WRONG-KEY');
  });

  it('redacts a key the service echoes back in its answer', async () => {
    standIn.next({ status: 400, body: `unknown routing key ${KEY}` });
    const outcome = await pagerDuty().publish([notice()]);
    expect(outcome.failed[0]?.error).toContain('unknown routing key [redacted]');
    expect(JSON.stringify(outcome)).not.toContain(KEY);
  });

  it('retries 429 and 5xx, honouring Retry-After up to its cap', async () => {
    const waits: number[] = [];
    const context = testContext({
      delivery: { attempts: 4, baseDelayMs: 1, maxDelayMs: 60_000, timeoutMs: 2_000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    standIn.next(json(429, { status: 'throttled' }, { 'Retry-After': '7' }), { status: 502 });
    const open = notice();
    expect(await pagerDuty({}, context).publish([open])).toEqual({
      accepted: [open.id],
      failed: [],
    });
    expect(standIn.received).toHaveLength(3);
    expect(waits[0]).toBe(7_000);
    expect(waits[1]).toBeLessThanOrEqual(2);
  });

  it('fails a malformed answer, and gives up on a channel whose retries are spent', async () => {
    standIn.next({ status: 202, body: '<html>proxy</html>' });
    const first = await pagerDuty().publish([notice()]);
    expect(first.failed[0]?.error).toContain('HTTP 202, malformed answer: not a JSON object');
    expect(standIn.received).toHaveLength(1);

    standIn.received.length = 0;
    standIn.next(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const other = notice({ incident: 'inc-other' });
    const second = await pagerDuty().publish([notice(), other]);
    expect(standIn.received).toHaveLength(4);
    expect(second.failed.map((f) => f.id)).toEqual([notice().id, other.id]);
    expect(second.failed[1]?.error).toContain('not sent, the channel is out of reach');
  });
});
