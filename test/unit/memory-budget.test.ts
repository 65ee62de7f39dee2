import { describe, expect, it } from 'vitest';
import { nodeOptions } from '../../functions/lambda/memory-budget.ts';

describe('the V8 flags a function is deployed with', () => {
  it('keeps the heap to three quarters of the memory and the young generation small', () => {
    // Hand-computed: 3/4 of the memory; a half-space of 1 MB per 128 MB, from 1 to 16 MB.
    expect(nodeOptions(128)).toBe('--max-old-space-size=96 --max-semi-space-size=1');
    expect(nodeOptions(512)).toBe('--max-old-space-size=384 --max-semi-space-size=4');
    expect(nodeOptions(1769)).toBe('--max-old-space-size=1326 --max-semi-space-size=13');
    expect(nodeOptions(10_240)).toBe('--max-old-space-size=7680 --max-semi-space-size=16');
  });
});
