import { describe, expect, it } from 'vitest';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import { deliverOutbox } from '../../functions/scan/outbox.ts';
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
