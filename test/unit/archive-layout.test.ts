import { describe, expect, it } from 'vitest';
import {
  encodeKeySegment,
  originFromKey,
  quarantineKey,
  reasonKey,
  reportKey,
} from '../../functions/core/archive-layout.ts';

describe('archive layout', () => {
  it('files a report Hive-style by charger, connector and day', () => {
    expect(reportKey({ chargerId: 'HPC-001', connectorId: '2' }, '2026-11-24', '123456789')).toBe(
      'reports/charger=HPC-001/connector=2/date=2026-11-24/123456789.json',
    );
  });

  it.each([
    ['../../etc', '..%2F..%2Fetc'],
    ['a/b', 'a%2Fb'],
    ['a\\b', 'a%5Cb'],
    ['..', '%2E%2E'],
    ['.', '%2E'],
    ['Ladestation Süd', 'Ladestation%20S%C3%BCd'],
    ['x\u0000y', 'x%00y'],
  ])('encodes %j so it cannot leave its segment', (id, encoded) => {
    expect(encodeKeySegment(id)).toBe(encoded);
    const key = reportKey({ chargerId: id, connectorId: id }, '2026-11-24', id);
    expect(key.split('/')).toHaveLength(5);
    expect(key.split('/').some((part) => part === '..' || part === '.')).toBe(false);
  });

  it('reads the origin back from a key, decoding ids', () => {
    const key = reportKey({ chargerId: 'Süd/1', connectorId: '2' }, '2026-11-24', '7');
    expect(originFromKey(key)).toEqual({ chargerId: 'Süd/1', connectorId: '2' });
    expect(originFromKey('some/other/file.json')).toBeUndefined();
  });

  it('names a quarantined item by its content, so a re-read lands on the same key', () => {
    const origin = { chargerId: 'HPC-001', connectorId: '1' };
    const key = quarantineKey(origin, '{"sessionId":"x"}');
    expect(key).toBe(quarantineKey(origin, '{"sessionId":"x"}'));
    expect(key).not.toBe(quarantineKey(origin, '{"sessionId":"y"}'));
    expect(key).toMatch(/^quarantine\/charger=HPC-001\/connector=1\/[0-9a-f]{32}\.json$/);
    expect(reasonKey(key)).toMatch(/\.reason\.json$/);
  });
});
