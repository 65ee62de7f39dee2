import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { reportsInDocument } from '../../functions/core/report-file.ts';
import { isWellFormedReport } from '../../functions/core/report-shape.ts';
import { sessionReportSchema, validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { ORIGIN } from '../helpers/reports.ts';

const thresholds = defaultThresholds();
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -5_000_000, max: 400_000_000 }),
  fc.constantFrom(0, -0, 80, 100, 1e308, -1e308, Number.MAX_SAFE_INTEGER),
);
const timestamp = fc.oneof(
  fc
    .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.string(),
);
const hexWord = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16)}`),
  fc.string(),
);

/** Report-shaped values: right field names, wild values, random omissions and extra fields. */
const reportLike = fc.record(
  {
    sessionId: fc.oneof(
      fc.integer(),
      fc.string({ minLength: 1 }),
      fc.constantFrom(2 ** 53, 1e20, 1.5, ''),
    ),
    vehicleId: fc.string(),
    sessionTimeStart: timestamp,
    sessionTimeEnd: timestamp,
    energySocStart: number,
    energySocEnd: number,
    energyChargeStart: number,
    energyChargeEnd: number,
    energyPrimaryStart: number,
    energyPrimaryEnd: number,
    energyRequestedStart: number,
    energyRequestedEnd: number,
    ocppStatus: fc.array(
      fc.record({
        value: fc.constantFrom('Charging', 'Faulted', 'faulted ', 'x'),
        eventTimestamp: timestamp,
      }),
    ),
    detailStatus: fc.array(
      fc.record({ key: fc.constantFrom('systemStatus', 'operationalStatus'), value: hexWord }),
    ),
    deviceStatus: fc.array(
      fc.record({
        deviceId: fc.constantFrom('Converter', 'Breaker', 'converter'),
        errorCodes: fc.array(fc.record({ errorCode: fc.string(), errorCounter: number })),
      }),
    ),
    chargeParameters: fc.array(
      fc.record({ paramType: fc.constantFrom('Station', 'Request'), maxPower: number }),
    ),
    sessionMeterValues: fc.array(
      fc.record({
        key: fc.constantFrom('present_current', 'present_voltage'),
        value: number,
        eventTimestamp: timestamp,
      }),
    ),
    batteryAlignmentResults: fc.record({
      inRange: fc.boolean(),
      presentVoltage: number,
      requestedVoltage: number,
    }),
    dcBreakerOpenConditions: fc.record({ current: number, voltage: number }, { requiredKeys: [] }),
    firmware: fc.jsonValue(),
  },
  { requiredKeys: ['sessionId'] },
);

const anyInput = fc.oneof(fc.jsonValue(), fc.anything(), reportLike);

describe('properties of validation and rules', () => {
  it('never throw, whatever the input', () => {
    fc.assert(
      fc.property(anyInput, (raw) => {
        const validation = validateSessionReport(raw);
        if (validation.ok)
          expect(evaluateReport(validation.report, thresholds, ORIGIN).ruleErrors).toEqual([]);
        reportsInDocument(raw, 'x.json');
      }),
      { numRuns: 2_000 },
    );
  });

  it('give the same findings and fingerprints every time', () => {
    fc.assert(
      fc.property(reportLike, (raw) => {
        const validation = validateSessionReport(raw);
        fc.pre(validation.ok);
        if (!validation.ok) return;
        const first = evaluateReport(validation.report, thresholds, ORIGIN).findings;
        const second = evaluateReport(
          structuredClone(validation.report),
          thresholds,
          ORIGIN,
        ).findings;
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { numRuns: 1_000 },
    );
  });

  it('give the same findings after a report is archived as JSON and read back', () => {
    fc.assert(
      fc.property(reportLike, (raw) => {
        const validation = validateSessionReport(raw);
        fc.pre(validation.ok);
        if (!validation.ok) return;
        const again = validateSessionReport(JSON.parse(JSON.stringify(raw)));
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        const before = evaluateReport(validation.report, thresholds, ORIGIN).findings;
        const after = evaluateReport(again.report, thresholds, ORIGIN).findings;
        expect(JSON.stringify(after)).toBe(JSON.stringify(before));
      }),
      { numRuns: 1_000 },
    );
  });

  it('keep a fault’s fingerprint when only its counts change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 10, max: 10_000 }),
        (a, b) => {
          const report = (count: number) => ({
            sessionId: 7,
            sessionTimeStart: '2026-11-23T16:00:00.000Z',
            deviceStatus: [
              {
                deviceId: 'Converter',
                errorCodes: [{ errorCode: 'WARN: x', errorCounter: count }],
              },
            ],
          });
          const fingerprints = [a, b].map((count) => {
            const v = validateSessionReport(report(count));
            return v.ok
              ? evaluateReport(v.report, thresholds, ORIGIN).findings.map((f) => f.fingerprint)
              : [];
          });
          expect(fingerprints[0]).toHaveLength(1);
          expect(fingerprints[1]).toEqual(fingerprints[0]);
        },
      ),
    );
  });
});

describe('the fast report check', () => {
  it('agrees with the zod schema on every input', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, reportLike.map(breakOneField)), (raw) => {
        expect(isWellFormedReport(raw)).toBe(sessionReportSchema.safeParse(raw).success);
      }),
      { numRuns: 3_000 },
    );
  });
});

/** Puts a wrong-typed value into one field, nested ones included, to exercise the failures. */
function breakOneField(report: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(report);
  const keys = Object.keys(copy);
  const key = keys[keys.length % 7] ?? 'sessionId';
  const value = copy[key];
  if (Array.isArray(value) && value.length > 0)
    value[0] = { ...value[0], value: null, key: 7, deviceId: false };
  else copy[key] = key.length % 2 === 0 ? 'wrong' : null;
  return copy;
}
