import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  IncidentEvent,
  IncidentNotification,
} from '../../../functions/core/incidents/incident.ts';
import { alertSinkOf } from '../../../functions/notifiers/registry.ts';
import { deliverOutbox } from '../../../functions/scan/outbox.ts';
import { notice, testContext } from '../../helpers/notices.ts';
import {
  opsgenieStandIn,
  pagerDutyStandIn,
  webhookStandIn,
} from '../../helpers/service-stand-ins.ts';
import type { Answer } from '../../helpers/stand-in.ts';

const pagerDuty = pagerDutyStandIn('pd-key');
const opsgenie = opsgenieStandIn('og-key');
const webhook = webhookStandIn('wh-key');
const standIns = [pagerDuty.standIn, opsgenie.standIn, webhook];

beforeAll(() => Promise.all(standIns.map((s) => s.start())));
afterAll(() => Promise.all(standIns.map((s) => s.stop())));

/**
 * Any life of one incident: opened (or opened by an attribution), told again any number of
 * times, perhaps resolved; its notices cut into the runs that publish them, each run meeting
 * a few transient failures, or an outage that fails it whole (its notices then go again with
 * the next run's, as the scan sends what was not accepted).
 */
const lives = fc
  .record({
    first: fc.constantFrom<IncidentEvent>('open', 'attributed'),
    middle: fc.array(fc.constantFrom<IncidentEvent>('reminder', 'escalate', 'attributed'), {
      maxLength: 6,
    }),
    resolved: fc.boolean(),
    cuts: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 4 }),
    runs: fc.array(
      fc.oneof(
        fc.array(fc.constantFrom<Answer>({ status: 429 }, { status: 500 }, { status: 503 }), {
          maxLength: 3,
        }),
        fc.constant<Answer[]>(Array.from({ length: 4 }, () => ({ status: 503 }))),
      ),
      { minLength: 5, maxLength: 5 },
    ),
  })
  .map(({ first, middle, resolved, cuts, runs }) => {
    const events = [first, ...middle, ...(resolved ? (['resolve'] as const) : [])];
    const batches: IncidentEvent[][] = [];
    let from = 0;
    for (const cut of [...new Set(cuts)].sort((a, b) => a - b).filter((c) => c < events.length)) {
      batches.push(events.slice(from, cut));
      from = cut;
    }
    batches.push(events.slice(from));
    return { events, batches, runs };
  });

describe("a channel's last word", () => {
  it('is the incident’s state: a resolved incident never stays triggered or open', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(lives, async ({ events, batches, runs }) => {
        const incident = `inc-${++round}`;
        const sink = alertSinkOf(
          [
            { type: 'pagerduty', routingKey: 'pd-key', url: pagerDuty.standIn.url },
            { type: 'opsgenie', apiKey: 'og-key', url: opsgenie.standIn.url },
            { type: 'webhook', url: webhook.url, signingKey: 'wh-key' },
          ],
          testContext(),
        );
        let n = 0;
        let pending: IncidentNotification[] = [];
        // One more run than there are batches, with no failures: what an outage held back goes then.
        for (const [index, batch] of [...batches, []].entries()) {
          const failures = index < batches.length ? (runs[index] ?? []) : [];
          for (const standIn of standIns) standIn.next(...failures);
          const notices = [
            ...pending,
            ...batch.map((event) =>
              notice({
                incident,
                event,
                at: new Date(Date.UTC(2026, 10, 3, 0, n++)).toISOString(),
              }),
            ),
          ];
          // Delivered as a run delivers its outbox: each incident's notices in order.
          const deliverer = { runId: `run-${index}`, day: '2026-11-03', until: '' };
          const outcome = await deliverOutbox(
            notices.map((notice) => ({ notice, deliverer })),
            sink,
          );
          const failed = new Set(outcome.failed.map((f) => f.id));
          pending = notices.filter((x) => failed.has(x.id));
          // A run whose answers were not all used leaves none for the next.
          for (const standIn of standIns) standIn.clearQueue();
        }
        expect(pending).toEqual([]);
        const resolved = events.at(-1) === 'resolve';
        expect(pagerDuty.alerts.get(incident)).toBe(resolved ? 'resolved' : 'triggered');
        expect(opsgenie.alerts.get(incident)).toBe(resolved ? 'closed' : 'open');
        const told = webhook.bodies().filter((b) => b.dedupKey === incident);
        expect(told.at(-1)?.status).toBe(resolved ? 'resolved' : 'firing');
      }),
      { numRuns: 30 },
    );
  });
});
