import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ocppFaulted } from '../../../functions/core/rules/ocpp-faulted.ts';
import { sessionFacts } from '../../../functions/core/session-facts.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = ocppFaulted.defaults;
const statuses = (...values: string[]) =>
  healthyReport({
    ocppStatus: values.map((value, i) => ({
      value,
      eventTimestamp: `2026-11-23T16:2${i}:00.000Z`,
    })),
  });

describe('ocpp-faulted', () => {
  it('is critical when the connector reported Faulted, naming when', () => {
    const [finding] = ocppFaulted.evaluate(
      statuses('Preparing', 'Charging', 'Faulted', 'Available'),
      t,
      ORIGIN,
    );
    expect(finding?.severity).toBe('critical');
    expect(finding?.evidence).toEqual({
      faultedCount: 1,
      firstFaultedAt: '2026-11-23T16:22:00.000Z',
    });
  });

  it('stays quiet for a normal status sequence and without statuses', () => {
    expect(
      ocppFaulted.evaluate(statuses('Preparing', 'Charging', 'Finishing', 'Available'), t, ORIGIN),
    ).toEqual([]);
    expect(ocppFaulted.evaluate(healthyReport({ ocppStatus: undefined }), t, ORIGIN)).toEqual([]);
  });

  it('counts every Faulted, in any case, in one finding', () => {
    const findings = ocppFaulted.evaluate(statuses('Faulted', 'Charging', 'FAULTED'), t, ORIGIN);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence.faultedCount).toBe(2);
  });

  it('reads Faulted as trimming and lower-casing would, whatever the text around it', () => {
    const text = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('', ' ', '\n', '\u00a0', '\u2028', '\ufeff', 'x', '\u0130'),
          fc.boolean(),
        )
        .chain(([edge, upper]) =>
          fc.constantFrom(
            `${edge}${upper ? 'FAULTED' : 'faulted'}`,
            `faULted${edge}`,
            `\u212aFaulted${edge}`,
          ),
        ),
    );
    fc.assert(
      fc.property(text, (value) => {
        const faulted = ocppFaulted.evaluate(statuses(value), t, ORIGIN).length === 1;
        expect(faulted).toBe(value.trim().toLowerCase() === 'faulted');
        // The session's facts count Faulted minutes only for the exact word, in any case.
        const minutes = sessionFacts(statuses(value, 'Available'), '2026-11-23', 80).faultedMinutes;
        expect(minutes > 0).toBe(value.toLowerCase() === 'faulted');
      }),
    );
  });
});
