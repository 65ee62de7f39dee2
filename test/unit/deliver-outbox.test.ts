import { describe, expect, it } from 'vitest';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { deliverInBatches, deliverOutbox } from '../../functions/scan/outbox.ts';
import type { AlertSink } from '../../functions/scan/ports.ts';
import { notice } from '../helpers/notices.ts';

const deliverer = { runId: 'run-1', day: '2026-11-03', until: '2026-11-03T03:30:00.000Z' };

/** A channel that refuses the notices named, and records each publish as the ids it carried. */
function channel(refused: readonly string[] = []) {
  const publishes: string[][] = [];
  const sink: AlertSink = {
    async publish(notices: readonly IncidentNotification[]) {
      publishes.push(notices.map((n) => n.id));
      return {
        accepted: notices.map((n) => n.id).filter((id) => !refused.includes(id)),
        failed: notices
          .filter((n) => refused.includes(n.id))
          .map((n) => ({ id: n.id, error: 'throttled' })),
      };
    },
  };
  return { sink, publishes };
}

const open = notice({ incident: 'a', event: 'open' });
const resolve = notice({ incident: 'a', event: 'resolve', at: '2026-11-03T03:16:00.000Z' });
const other = notice({ incident: 'b', event: 'open' });
const entries = [open, resolve, other].map((n) => ({ notice: n, deliverer }));

describe('delivering the outbox', () => {
  it('sends a resolve only in a publish after its open was accepted, the other incidents with the open', async () => {
    const { sink, publishes } = channel();
    const outcome = await deliverOutbox(entries, sink);
    expect(publishes).toEqual([[open.id, other.id], [resolve.id]]);
    expect(outcome.delivered.map((n) => n.id)).toEqual([open.id, other.id, resolve.id]);
    expect(outcome.failed).toEqual([]);
  });

  it('holds back an incident’s later notices when one is refused, and sends the other incidents', async () => {
    const { sink, publishes } = channel([open.id]);
    const outcome = await deliverOutbox(entries, sink);
    expect(publishes).toEqual([[open.id, other.id]]);
    expect(outcome.delivered.map((n) => n.id)).toEqual([other.id]);
    expect(outcome.failed).toEqual([
      { id: open.id, error: 'throttled' },
      { id: resolve.id, error: 'held back: an earlier notice was not sent' },
    ]);
  });

  it('counts every notice of a publish that throws as not sent', async () => {
    const sink: AlertSink = {
      publish: async () => {
        throw new Error('SNS unreachable');
      },
    };
    const outcome = await deliverOutbox(entries, sink);
    expect(outcome.delivered).toEqual([]);
    expect(outcome.failed.map((f) => f.id).sort()).toEqual([open.id, other.id, resolve.id].sort());
  });
});

describe('delivering a large outbox a batch at a time', () => {
  // More entries than one batch holds: incident a's open falls in the first, its resolve in the second.
  const fillers = Array.from({ length: 499 }, (_, i) => notice({ incident: `filler-${i}` }));
  const earlier = notice({ incident: 'told-before' });
  const large = [
    ...[...fillers, open].map((n) => ({ notice: n, deliverer })),
    { notice: earlier, deliverer, sent: '2026-11-03T03:20:00.000Z' },
    { notice: resolve, deliverer },
  ];

  it('sends a resolve in a later batch only after its open, and tells each notice once', async () => {
    const { sink, publishes } = channel();
    const told: [string, boolean][] = [];
    const failed = await deliverInBatches(large, sink, (n, before) => told.push([n.id, before]));
    expect(failed).toEqual([]);
    const sent = publishes.flat();
    expect(sent).toHaveLength(501);
    expect(sent).not.toContain(earlier.id);
    expect(sent.indexOf(open.id)).toBeLessThan(sent.indexOf(resolve.id));
    expect(told).toHaveLength(502);
    expect(new Set(told.map(([id]) => id)).size).toBe(502);
    expect(told.filter(([, before]) => before)).toEqual([[earlier.id, true]]);
  });

  it('holds back the resolve in a later batch when its open was refused in an earlier one', async () => {
    const { sink, publishes } = channel([open.id]);
    const told: string[] = [];
    const failed = await deliverInBatches(large, sink, (n) => told.push(n.id));
    expect(failed).toEqual([
      { id: open.id, error: 'throttled' },
      { id: resolve.id, error: 'held back: an earlier notice was not sent' },
    ]);
    expect(publishes.flat()).not.toContain(resolve.id);
    expect(told).toHaveLength(500);
    expect(told).not.toContain(open.id);
  });
});
