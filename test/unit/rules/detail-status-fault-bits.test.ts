import { describe, expect, it } from 'vitest';
import { detailStatusFaultBits } from '../../../functions/core/rules/detail-status-fault-bits.ts';
import { healthyReport, ORIGIN } from '../../helpers/reports.ts';

const t = detailStatusFaultBits.defaults;
const words = (...entries: [string, string][]) =>
  healthyReport({ detailStatus: entries.map(([key, value]) => ({ key, value })) });

describe('detail-status-fault-bits', () => {
  it('ignores words that no mask names', () => {
    expect(
      detailStatusFaultBits.evaluate(words(['operationalStatus', '0x0000784B']), t, ORIGIN),
    ).toEqual([]);
  });

  it('ignores words named like Object.prototype members, which no config sets', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      expect(detailStatusFaultBits.evaluate(words([key, '0xFFFFFFFF']), t, ORIGIN)).toEqual([]);
    }
  });

  it('reads a mask configured under a builtin name like any other', () => {
    const masks = JSON.parse('{"constructor": "0x0000000F", "__proto__": "0x000000F0"}');
    const findings = detailStatusFaultBits.evaluate(
      words(['constructor', '0x00000011'], ['__proto__', '0x00000011']),
      { ...t, masks },
      ORIGIN,
    );
    expect(findings.map((f) => f.evidence)).toEqual([
      { key: 'constructor', value: '0x00000011', mask: '0x0000000F', faultBits: '0x00000001' },
      { key: '__proto__', value: '0x00000011', mask: '0x000000F0', faultBits: '0x00000010' },
    ]);
  });

  it('stays quiet for a zero word and fires for the lowest bit', () => {
    expect(
      detailStatusFaultBits.evaluate(words(['systemStatus', '0x00000000']), t, ORIGIN),
    ).toEqual([]);
    const [finding] = detailStatusFaultBits.evaluate(
      words(['systemStatus', '0x00000001']),
      t,
      ORIGIN,
    );
    expect(finding?.evidence).toMatchObject({ faultBits: '0x00000001' });
    expect(finding?.message).toContain('bits 0 are set');
  });

  it('applies the configured mask: bits outside it are not faults', () => {
    const masked = { ...t, masks: { operationalStatus: '0x0000F000' } };
    expect(
      detailStatusFaultBits.evaluate(words(['operationalStatus', '0x00000FFF']), masked, ORIGIN),
    ).toEqual([]);
    const [finding] = detailStatusFaultBits.evaluate(
      words(['operationalStatus', '0x0000784B']),
      masked,
      ORIGIN,
    );
    expect(finding?.evidence.faultBits).toBe('0x00007000');
    expect(finding?.message).toContain('bits 12, 13, 14');
  });

  it('gives one finding per word, with the bits of all its events', () => {
    const findings = detailStatusFaultBits.evaluate(
      words(
        ['systemStatus', '0x00000010'],
        ['systemStatus', '0x00000400'],
        ['systemStatus', '0x0'],
      ),
      t,
      ORIGIN,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.evidence.faultBits).toBe('0x00000410');
  });

  it('skips values that are not hex words, and reports without detail status', () => {
    expect(detailStatusFaultBits.evaluate(words(['systemStatus', 'n/a']), t, ORIGIN)).toEqual([]);
    expect(
      detailStatusFaultBits.evaluate(healthyReport({ detailStatus: undefined }), t, ORIGIN),
    ).toEqual([]);
  });

  it('handles the top bit without going negative', () => {
    const [finding] = detailStatusFaultBits.evaluate(
      words(['systemStatus', '0x80000000']),
      t,
      ORIGIN,
    );
    expect(finding?.evidence.faultBits).toBe('0x80000000');
  });
});
