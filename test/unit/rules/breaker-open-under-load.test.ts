import { describe, expect, it } from 'vitest';
import { breakerOpenUnderLoad } from '../../../functions/core/rules/breaker-open-under-load.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const defaults = breakerOpenUnderLoad.defaults;

function openedAt(current: number, voltage = 650) {
  return healthyReport({ dcBreakerOpenConditions: { current, voltage } });
}

describe('breaker-open-under-load', () => {
  it('stays quiet at the warning level and warns just above it', () => {
    expect(breakerOpenUnderLoad.evaluate(openedAt(5), defaults, ORIGIN)).toEqual([]);
    expect(breakerOpenUnderLoad.evaluate(openedAt(5.1), defaults, ORIGIN)[0]?.severity).toBe(
      'warning',
    );
  });

  it('is a warning at the critical level and critical just above it', () => {
    expect(breakerOpenUnderLoad.evaluate(openedAt(50), defaults, ORIGIN)[0]?.severity).toBe(
      'warning',
    );
    expect(breakerOpenUnderLoad.evaluate(openedAt(50.1), defaults, ORIGIN)[0]?.severity).toBe(
      'critical',
    );
  });

  it('gives current, voltage and implied power at opening', () => {
    const [finding] = breakerOpenUnderLoad.evaluate(openedAt(200, 650), defaults, ORIGIN);
    expect(finding?.message).toContain('200 A flowing at 650 V (130 kW)');
    expect(finding?.evidence).toMatchObject({ currentAmps: 200, voltage: 650, powerKw: 130 });
  });

  it('treats current flowing the other way the same', () => {
    expect(breakerOpenUnderLoad.evaluate(openedAt(-80), defaults, ORIGIN)[0]?.severity).toBe(
      'critical',
    );
  });

  it('stays quiet without breaker conditions or current', () => {
    expect(
      breakerOpenUnderLoad.evaluate(
        healthyReport({ dcBreakerOpenConditions: undefined }),
        defaults,
        ORIGIN,
      ),
    ).toEqual([]);
    expect(
      breakerOpenUnderLoad.evaluate(
        healthyReport({ dcBreakerOpenConditions: { voltage: 600 } }),
        defaults,
        ORIGIN,
      ),
    ).toEqual([]);
  });

  it('still reports without a voltage, leaving out the power', () => {
    const report = healthyReport({ dcBreakerOpenConditions: { current: 80 } });
    const [finding] = breakerOpenUnderLoad.evaluate(report, defaults, ORIGIN);
    expect(finding?.severity).toBe('critical');
    expect(finding?.evidence).not.toHaveProperty('powerKw');
  });
});
