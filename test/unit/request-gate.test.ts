import { describe, expect, it } from 'vitest';
import { TransientError } from '../../functions/http/errors.ts';
import { RequestGate } from '../../functions/http/request-gate.ts';

/** A request the test answers by hand. */
function pending() {
  let answer!: (ok: boolean) => void;
  const done = new Promise<string>((resolve, reject) => {
    answer = (ok) => (ok ? resolve('page') : reject(new TransientError('throttled', 429, 1_000)));
  });
  return { done, answer };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the request gate', () => {
  it('lets no more than the limit on the wire, and after a 429 only half as many', async () => {
    const gate = new RequestGate({ start: 4, ceiling: 4 });
    const requests = Array.from({ length: 6 }, pending);
    let started = 0;
    const runs = requests.map((r) =>
      gate
        .run(() => {
          started++;
          return r.done;
        })
        .catch(() => 'throttled'),
    );
    await settle();
    expect(started).toBe(4);

    requests[0]?.answer(false); // a 429: four halve to two, with three still on the wire
    await settle();
    expect(gate.limit).toBe(2);
    expect(started).toBe(4);
    requests[1]?.answer(true);
    await settle();
    expect(started).toBe(4); // two still on the wire: the limit is full
    requests[2]?.answer(true);
    await settle();
    expect(started).toBe(5);

    for (const r of requests.slice(3)) r.answer(true);
    expect(await Promise.all(runs)).toEqual(['throttled', ...Array(5).fill('page')]);
    expect(gate.stats.throttled).toBe(1);
  });
});
