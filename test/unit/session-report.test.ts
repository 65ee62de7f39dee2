import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import { utcDay, validateSessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { healthyReport, ORIGIN } from '../helpers/reports.ts';

const vendorPage = JSON.parse(readFileSync('test/fixtures/vendor-example-page.json', 'utf8'));

describe('session report validation', () => {
  it("accepts the vendor's own example and files it under the session's UTC day", () => {
    const result = validateSessionReport(vendorPage.items[0]);
    expect(result).toMatchObject({ ok: true, sessionDate: '2022-08-03' });
  });

  it('keeps fields it does not know', () => {
    const result = validateSessionReport({ ...healthyReport(), firmwareVersion: '4.2.1' });
    expect(result.ok && result.report.firmwareVersion).toBe('4.2.1');
  });

  it('rejects a wrong type and names the field', () => {
    const result = validateSessionReport({ ...healthyReport(), energySocEnd: 'full' });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('energySocEnd') });
  });

  it('rejects a report without a session id', () => {
    const { sessionId: _, ...rest } = healthyReport();
    expect(validateSessionReport(rest)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('sessionId'),
    });
  });

  it('rejects a report that cannot be filed by day', () => {
    const report = { ...healthyReport(), sessionTimeStart: 'yesterday', sessionTimeEnd: undefined };
    expect(validateSessionReport(report)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('filed by day'),
    });
  });

  it('falls back to the end time for the day', () => {
    const report = {
      ...healthyReport(),
      sessionTimeStart: undefined,
      sessionTimeEnd: '2026-01-02T00:10:00Z',
    };
    expect(validateSessionReport(report)).toMatchObject({ ok: true, sessionDate: '2026-01-02' });
  });

  it('rejects non-objects, NaN-like numbers and nulls without throwing', () => {
    for (const raw of [null, 42, 'report', [], { sessionId: 1, energySocEnd: null }]) {
      expect(validateSessionReport(raw).ok).toBe(false);
    }
  });

  it('reads day boundaries in UTC', () => {
    expect(utcDay('2026-11-23T23:59:59.999Z')).toBe('2026-11-23');
    expect(utcDay('2026-11-24T00:30:00+01:00')).toBe('2026-11-23');
    expect(utcDay('not a date')).toBeUndefined();
  });
});

describe('rules on the vendor example', () => {
  it('flags the 29 VQS warnings of its converter and nothing else', () => {
    const result = validateSessionReport(vendorPage.items[0]);
    if (!result.ok) throw new Error(result.reason);
    const { findings, ruleErrors } = evaluateReport(result.report, defaultThresholds(), ORIGIN);
    expect(ruleErrors).toEqual([]);
    expect(findings.map((f) => [f.rule, f.severity, f.evidence.errorCounter])).toEqual([
      ['converter-error-counter', 'warning', 29],
    ]);
  });
});
