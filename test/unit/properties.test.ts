import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { reportsInDocument } from '../../functions/core/report-file.ts';
import { isWellFormedReport } from '../../functions/core/report-shape.ts';
import { RULES } from '../../functions/core/rules/registry.ts';
import {
  type SessionReport,
  sessionReportSchema,
  validateSessionReport,
} from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { healthyReport, ORIGIN } from '../helpers/reports.ts';

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

/** Names every plain object answers to through Object.prototype, none of them its own. */
const builtinName = fc.constantFrom(
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  '__defineGetter__',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
);

/**
 * A healthy report whose vendor-chosen names (status word keys, device ids, error codes, meter
 * sample keys, parameter types, OCPP values, extra top-level fields) are builtin names. Values
 * are healthy for such names: words and devices no config watches may hold anything, and
 * codes on the watched converter stay below every alert count.
 */
const builtinNamedReport = fc
  .record({
    words: fc.array(
      fc.record({
        key: builtinName,
        value: fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16)}`),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    devices: fc.array(
      fc.record({
        deviceId: builtinName,
        status: builtinName,
        errorCodes: fc.array(
          fc.record({ errorCode: builtinName, errorCounter: fc.integer({ min: 0, max: 10_000 }) }),
        ),
      }),
      { maxLength: 3 },
    ),
    converterCodes: fc.array(
      fc.record({ errorCode: builtinName, errorCounter: fc.integer({ min: 0, max: 9 }) }),
      { maxLength: 3 },
    ),
    samples: fc.array(
      fc.record({ key: builtinName, value: fc.integer({ min: -1_000_000, max: 1_000_000 }) }),
      { maxLength: 5 },
    ),
    parameters: fc.array(
      fc.record({ paramType: builtinName, maxPower: fc.integer({ min: 1, max: 10_000_000 }) }),
      { maxLength: 3 },
    ),
    ocpp: fc.array(builtinName, { maxLength: 3 }),
    extraFields: fc.uniqueArray(builtinName, { maxLength: 4 }),
  })
  .map(({ words, devices, converterCodes, samples, parameters, ocpp, extraFields }) => {
    const healthy = healthyReport();
    // Parsed from JSON so that `__proto__` is an own field, as it is in an API page.
    const extras = JSON.parse(
      JSON.stringify(Object.fromEntries(extraFields.map((name) => [name, { value: name }]))),
    );
    const report: SessionReport = {
      ...healthy,
      ...extras,
      ocppStatus: [...ocpp.map((value) => ({ value })), { value: 'Charging' }],
      detailStatus: [{ key: 'systemStatus', value: '0x00000000' }, ...words],
      deviceStatus: [
        ...(healthy.deviceStatus ?? []).map((d) =>
          d.deviceId === 'Converter'
            ? { ...d, errorCodes: [...(d.errorCodes ?? []), ...converterCodes] }
            : d,
        ),
        ...devices,
      ],
      // A station limit and samples near it, so power-derating reads every sample.
      chargeParameters: [{ paramType: 'Station', maxPower: 400_000 }, ...parameters],
      sessionMeterValues: [
        { key: 'present_current', value: 500 },
        ...samples,
        { key: 'present_voltage', value: 700 },
      ],
    };
    return report;
  });

describe('rules given vendor names that Object.prototype also has', () => {
  it('find nothing in an otherwise healthy report, and never throw', () => {
    fc.assert(
      fc.property(builtinNamedReport, (report) => {
        for (const rule of RULES) {
          let findings: unknown[] = [];
          expect(() => {
            findings = rule.evaluate(report, rule.defaults, ORIGIN);
          }, rule.id).not.toThrow();
          expect(findings, rule.id).toEqual([]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('find nothing either once the report has passed validation', () => {
    fc.assert(
      fc.property(builtinNamedReport, (report) => {
        const validation = validateSessionReport(JSON.parse(JSON.stringify(report)));
        expect(validation.ok).toBe(true);
        if (!validation.ok) return;
        expect(evaluateReport(validation.report, thresholds, ORIGIN)).toEqual({
          findings: [],
          ruleErrors: [],
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('the fast report check', () => {
  it('agrees with the zod schema on every input', () => {
    fc.assert(
      fc.property(fc.oneof(anyInput, reportLike.map(breakOneField)), (raw) => {
        expect(isWellFormedReport(raw)).toBe(sessionReportSchema().safeParse(raw).success);
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
