import { describe, expect, it } from 'vitest';
import { latestOpening } from '../../functions/core/fleet/latest-opening.ts';
import { runTimeMs } from '../../functions/core/incidents/run-time.ts';
import { holdsKey } from '../../functions/core/incidents/seen-keys.ts';

describe('the fleet record helpers behind the backtest', () => {
  it('finds the latest opening across faults, ignores unparseable times, and never answers for another record', () => {
    const openings = {
      a: ['2026-11-01T00:00:00.000Z', 'not a time'],
      b: ['2026-11-03T00:00:00.000Z'],
    };
    expect(latestOpening(openings)).toBe(Date.parse('2026-11-03T00:00:00.000Z'));
    expect(latestOpening(openings)).toBe(Date.parse('2026-11-03T00:00:00.000Z'));
    expect(latestOpening({ ...openings, c: ['2026-11-05T00:00:00.000Z'] })).toBe(
      Date.parse('2026-11-05T00:00:00.000Z'),
    );
    expect(latestOpening({})).toBe(Number.NEGATIVE_INFINITY);
    expect(latestOpening({ a: ['never'] })).toBe(Number.NEGATIVE_INFINITY);
  });

  it('parses a run time as Date.parse does, however often and in whatever order asked', () => {
    for (const now of [
      '2026-11-01T00:15:00.000Z',
      '2026-11-01T00:30:00Z',
      '2026-11-01T00:15:00.000Z',
      'x',
    ])
      expect(runTimeMs(now)).toEqual(Date.parse(now));
  });

  it('looks for a session key from the given index on', () => {
    const seen: [string, string][] = [
      ['1@2026-11-01', '2026-11-01T01:00:00.000Z'],
      ['2@2026-11-01', '2026-11-01T02:00:00.000Z'],
    ];
    expect(holdsKey(seen, '1@2026-11-01')).toBe(true);
    expect(holdsKey(seen, '1@2026-11-01', 1)).toBe(false);
    expect(holdsKey(seen, '2@2026-11-01', 1)).toBe(true);
    expect(holdsKey(seen, '3@2026-11-01')).toBe(false);
  });
});
