import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimestamp, timestampMs } from '../../functions/core/timestamps.ts';

/** What `Date.parse` and `toISOString` make of a text: the oracle. */
function parsed(text: string) {
  const ms = Date.parse(text);
  return { ms, iso: Number.isNaN(ms) ? undefined : new Date(ms).toISOString() };
}

const field = (max: number, width: number) =>
  fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, '0'));

describe('timestamps', () => {
  it('reads every text of the canonical shape as Date.parse does, out-of-range fields too', () => {
    fc.assert(
      fc.property(
        fc.tuple(field(9999, 4), field(99, 2), field(99, 2), field(99, 2), field(99, 2)),
        fc.tuple(field(99, 2), field(999, 3)),
        ([year, month, day, hour, minute], [second, ms]) => {
          const text = `${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}Z`;
          expect({ ms: timestampMs(text), iso: isoTimestamp(text) }).toEqual(parsed(text));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('reads other forms and any text as Date.parse does', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), fc.string(), (date, text) => {
        for (const t of [date.toISOString(), date.toISOString().replace('Z', text), text]) {
          expect({ ms: timestampMs(t), iso: isoTimestamp(t) }).toEqual(parsed(t));
        }
      }),
    );
    for (const t of [
      '2026-02-29T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '0099-01-01T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-11-23T16:02:16+01:00',
    ]) {
      expect({ ms: timestampMs(t), iso: isoTimestamp(t) }).toEqual(parsed(t));
    }
  });
});
