import { describe, expect, it } from 'vitest';
import {
  type AimdState,
  aimdStart,
  aimdSucceeded,
  aimdThrottled,
} from '../../functions/core/aimd.ts';

const settings = { start: 8, ceiling: 10 };

/** What came back for a request sent in an epoch: a success or a 429. */
type Event = { ok: number } | { throttled: number };

function limitsAfter(events: readonly Event[]): number[] {
  let state: AimdState = aimdStart(settings);
  return events.map((event) => {
    state =
      'ok' in event
        ? aimdSucceeded(state, event.ok, settings)
        : aimdThrottled(state, event.throttled);
    return state.limit;
  });
}

const ok = (n: number, epoch = 0): Event[] => Array.from({ length: n }, () => ({ ok: epoch }));

describe('the AIMD controller', () => {
  it('grows by one after a full round of successes, up to the ceiling', () => {
    // 8 successes at 8 make it 9; 9 more make it 10; 10 more leave it at the ceiling.
    expect(limitsAfter(ok(27))).toEqual([
      ...[8, 8, 8, 8, 8, 8, 8, 9],
      ...[9, 9, 9, 9, 9, 9, 9, 9, 10],
      ...[10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
    ]);
  });

  it('halves on a 429, once per round, never below one, and climbs back by one', () => {
    expect(
      limitsAfter([
        ...ok(8), // 8 → 9
        { throttled: 0 }, // 9 → 4 (floor of 4.5); epoch 1
        { throttled: 0 }, // sent before that decrease: still 4
        { ok: 0 }, // sent before it too: does not count towards growing
        ...ok(3, 1), // three of the four a round at 4 needs
        { throttled: 1 }, // 4 → 2; epoch 2
        { throttled: 2 }, // 2 → 1; epoch 3
        { throttled: 3 }, // 1 stays 1; epoch 4
        { ok: 4 }, // one success at 1 → 2
        ...ok(2, 4), // two at 2 → 3
        { throttled: 4 }, // 3 → 1; epoch 5
      ]),
    ).toEqual([...[8, 8, 8, 8, 8, 8, 8, 9], 4, 4, 4, 4, 4, 4, 2, 1, 1, 2, 2, 3, 1]);
  });

  it('starts at the ceiling when that is lower than the start, and at one at least', () => {
    expect(aimdStart({ start: 8, ceiling: 3 }).limit).toBe(3);
    expect(aimdStart({ start: 0, ceiling: 3 }).limit).toBe(1);
  });
});
