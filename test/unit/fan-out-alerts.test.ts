import { describe, expect, it } from 'vitest';
import { FanOutAlerts } from '../../functions/adapters/local-alerts.ts';
import type { IncidentNotification } from '../../functions/core/incidents/incident.ts';
import type { AlertSink } from '../../functions/scan/ports.ts';

const notice = (id: string) => ({ id }) as IncidentNotification;
const sink = (publish: AlertSink['publish']): AlertSink => ({ publish });

describe('alerts to several channels at once', () => {
  it('counts a notice as sent only when every channel took it, naming why the others did not', async () => {
    const all = [notice('a'), notice('b'), notice('c')];
    const fanOut = new FanOutAlerts([
      sink(async (ns) => ({ accepted: ns.map((n) => n.id), failed: [] })),
      sink(async () => ({ accepted: ['a', 'c'], failed: [{ id: 'b', error: 'Throttled' }] })),
      // A channel that answers for only some notices has not taken the others.
      sink(async () => ({ accepted: ['a', 'b'], failed: [] })),
    ]);
    expect(await fanOut.publish(all)).toEqual({
      accepted: ['a'],
      failed: [
        { id: 'b', error: 'Throttled' },
        { id: 'c', error: 'not accepted' },
      ],
    });
  });

  it('keeps going when one channel throws: the others still publish, its notices are failed', async () => {
    const seen: string[] = [];
    const fanOut = new FanOutAlerts([
      sink(async () => {
        throw new Error('disk full');
      }),
      sink(async (ns) => {
        seen.push(...ns.map((n) => n.id));
        return { accepted: ns.map((n) => n.id), failed: [] };
      }),
    ]);
    const outcome = await fanOut.publish([notice('a'), notice('b')]);
    expect(seen).toEqual(['a', 'b']);
    expect(outcome).toEqual({
      accepted: [],
      failed: [
        { id: 'a', error: 'Error: disk full' },
        { id: 'b', error: 'Error: disk full' },
      ],
    });
  });
});
