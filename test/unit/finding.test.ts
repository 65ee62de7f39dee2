import { describe, expect, it } from 'vitest';
import { breakerOpenUnderLoad } from '../../functions/core/rules/breaker-open-under-load.ts';
import { MESSAGE_MAX, TITLE_MAX } from '../../functions/core/rules/rule.ts';
import { healthyReport, ORIGIN } from '../helpers/reports.ts';

const opened = (overrides: Parameters<typeof healthyReport>[0]) =>
  breakerOpenUnderLoad.evaluate(
    healthyReport({ dcBreakerOpenConditions: { current: 80, voltage: 650 }, ...overrides }),
    breakerOpenUnderLoad.defaults,
    ORIGIN,
  )[0];

describe('a finding', () => {
  it('tells apart two sessions a vendor gave the same id on different days', () => {
    const monday = opened({ sessionId: 42, sessionTimeStart: '2026-11-30T08:00:00Z' });
    const tuesday = opened({ sessionId: 42, sessionTimeStart: '2026-12-01T08:00:00Z' });
    const again = opened({ sessionId: 42, sessionTimeStart: '2026-11-30T21:00:00Z' });
    expect(monday?.fingerprint).not.toBe(tuesday?.fingerprint);
    expect(monday?.fingerprint).toBe(again?.fingerprint); // same day, same session
  });

  it('carries vendor text without control characters, and within its length', () => {
    const hostile = opened({
      vehicleId: `BUS\u001b[31m-7\u0007${'x'.repeat(5_000)}`,
      sessionTimeStart: '2026-11-30T08:00:00Z',
    });
    expect(hostile?.message).not.toMatch(/\p{Cc}/u);
    expect(Array.from(hostile?.message ?? '').length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(Array.from(hostile?.title ?? '').length).toBeLessThanOrEqual(TITLE_MAX);
    expect(hostile?.message).toContain('vehicle BUS -7 ');
  });
});
