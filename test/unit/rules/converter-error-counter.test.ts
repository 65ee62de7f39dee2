import { describe, expect, it } from 'vitest';
import {
  converterErrorCounter,
  levelOf,
} from '../../../functions/core/rules/converter-error-counter.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const defaults = converterErrorCounter.defaults;

function withCodes(deviceId: string, ...codes: [string, number][]) {
  return healthyReport({
    deviceStatus: [
      {
        deviceId,
        errorCodes: codes.map(([errorCode, errorCounter]) => ({ errorCode, errorCounter })),
      },
    ],
  });
}

describe('converter-error-counter', () => {
  it('raises INFO codes only when told to, at their own threshold and severity', () => {
    const report = withCodes('Converter', ['INFO: converter : fan speed high', 100]);
    expect(converterErrorCounter.evaluate(report, defaults, ORIGIN)).toEqual([]);
    const t = { ...defaults, infoCount: 100 };
    expect(converterErrorCounter.evaluate(report, t, ORIGIN)[0]?.severity).toBe('info');
    expect(converterErrorCounter.evaluate(report, { ...t, infoCount: 101 }, ORIGIN)).toEqual([]);
  });

  it('uses the severity configured for a level', () => {
    const report = withCodes('Converter', ['WARN: converter : VQS disabled', 12]);
    const t = { ...defaults, warningSeverity: 'critical' as const };
    expect(converterErrorCounter.evaluate(report, t, ORIGIN)[0]?.severity).toBe('critical');
  });

  it('stays quiet for a warning counted just below the threshold', () => {
    const report = withCodes('Converter', ['WARN: converter : sibcos 1: VQS disabled', 9]);
    expect(converterErrorCounter.evaluate(report, defaults, ORIGIN)).toEqual([]);
  });

  it('raises a warning once a warning is counted as often as the threshold', () => {
    const report = withCodes('Converter', ['WARN: converter : sibcos 1: VQS disabled', 10]);
    const [finding] = converterErrorCounter.evaluate(report, defaults, ORIGIN);
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toMatchObject({ errorCounter: 10, threshold: 10 });
    expect(finding?.message).toContain('"WARN: converter : sibcos 1: VQS disabled" 10 times');
  });

  it('raises a critical finding for a single ERR and none for zero', () => {
    const once = withCodes('Converter', ['ERR: converter : DC link overvoltage', 1]);
    const never = withCodes('Converter', ['ERR: converter : DC link overvoltage', 0]);
    expect(converterErrorCounter.evaluate(once, defaults, ORIGIN)[0]?.severity).toBe('critical');
    expect(converterErrorCounter.evaluate(never, defaults, ORIGIN)).toEqual([]);
  });

  it('gives one finding per error code, each with its own fingerprint', () => {
    const report = withCodes('Converter', ['ERR: a', 2], ['WARN: b', 50], ['INFO: c', 500]);
    const findings = converterErrorCounter.evaluate(report, defaults, ORIGIN);
    expect(findings.map((f) => f.severity)).toEqual(['critical', 'warning']);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('ignores devices it is not told to watch', () => {
    const report = withCodes('Pantograph', ['ERR: pantograph stuck', 5]);
    expect(converterErrorCounter.evaluate(report, defaults, ORIGIN)).toEqual([]);
    const watching = { ...defaults, devices: ['Converter', 'Pantograph'] };
    expect(converterErrorCounter.evaluate(report, watching, ORIGIN)).toHaveLength(1);
  });

  it('stays quiet when the report has no device status or no error codes', () => {
    expect(
      converterErrorCounter.evaluate(healthyReport({ deviceStatus: undefined }), defaults, ORIGIN),
    ).toEqual([]);
    expect(converterErrorCounter.evaluate(withCodes('Converter'), defaults, ORIGIN)).toEqual([]);
  });

  it('reads the level prefix case-insensitively and tolerates spacing', () => {
    expect(levelOf('  warn : x')).toBe('warning');
    expect(levelOf('Error: x')).toBe('error');
    expect(levelOf('FAULT x')).toBe('error');
    expect(levelOf('info: x')).toBe('info');
    expect(levelOf('no level at all')).toBe('warning');
    expect(levelOf('errors: x')).toBe('warning'); // a word, not a level
    expect(levelOf('Critical x')).toBe('error');
    expect(levelOf('information')).toBe('warning');
    expect(levelOf('\tWARNING')).toBe('warning');
  });
});
