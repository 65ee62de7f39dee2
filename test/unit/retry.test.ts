import { describe, expect, it } from 'vitest';
import { TransientError } from '../../functions/http/errors.ts';
import { parseRetryAfter, retryDelayMs } from '../../functions/http/retry.ts';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('retry policy', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("honours the server's delay, capped", () => {
    expect(retryDelayMs(1, policy, new TransientError('429', 429, 400))).toBe(400);
    expect(retryDelayMs(1, policy, new TransientError('429', 429, 3_600_000))).toBe(1_000);
  });

  it('backs off exponentially with full jitter, within the cap', () => {
    expect(retryDelayMs(1, policy, new Error(), () => 0.999)).toBe(99);
    expect(retryDelayMs(3, policy, new Error(), () => 0.999)).toBe(399);
    expect(retryDelayMs(10, policy, new Error(), () => 0.999)).toBe(999);
    expect(retryDelayMs(3, policy, new Error(), () => 0)).toBe(0);
  });
});
