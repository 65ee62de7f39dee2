import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/config/config.ts';
import { credentialsFrom } from '../../functions/config/credentials.ts';
import { ThresholdBook } from '../../functions/core/thresholds.ts';

const fleet = [{ chargerId: 'HPC-001', connectors: ['1', '2'] }];
const on = (chargerId: string, connectorId: string) => ({ chargerId, connectorId });

describe('config', () => {
  it('fills every default from a config that names only the fleet', () => {
    const config = parseConfig({ fleet }, 'test');
    expect(config.api.baseUrl).toBe('https://api.eu.depot.emobility.io');
    expect(config.scan).toMatchObject({ pageSize: 500, concurrency: 8, overlapMinutes: 480 });
    expect(config.alerts).toEqual(['stdout']);
    const thresholds = new ThresholdBook(config.thresholds, config.overrides).for(
      on('HPC-001', '1'),
    );
    expect(thresholds['breaker-open-under-load']).toMatchObject({
      warningAmps: 5,
      criticalAmps: 50,
    });
  });

  it('overlays charger and then connector overrides on the site-wide thresholds', () => {
    const config = parseConfig(
      {
        fleet,
        thresholds: {
          'soc-shortfall': { targetSocPercent: 85 },
          'breaker-open-under-load': { warningAmps: 8 },
        },
        overrides: [
          {
            chargerId: 'HPC-001',
            connectorId: '2',
            thresholds: { 'soc-shortfall': { targetSocPercent: 60 } },
          },
          {
            chargerId: 'HPC-001',
            thresholds: { 'soc-shortfall': { targetSocPercent: 70, minDurationMinutes: 45 } },
          },
        ],
      },
      'test',
    );
    const book = new ThresholdBook(config.thresholds, config.overrides);
    expect(book.for(on('HPC-001', '2'))['soc-shortfall']).toMatchObject({
      targetSocPercent: 60,
      minDurationMinutes: 45,
    });
    expect(book.for(on('HPC-001', '1'))['soc-shortfall']).toMatchObject({ targetSocPercent: 70 });
    expect(book.for(on('HPC-009', '1'))['soc-shortfall']).toMatchObject({
      targetSocPercent: 85,
      minDurationMinutes: 30,
    });
    expect(book.for(on('HPC-001', '2'))['breaker-open-under-load']).toMatchObject({
      warningAmps: 8,
      criticalAmps: 50,
    });
  });

  it.each([
    [{ fleet, scan: { pageSize: 5000 } }, 'scan.pageSize'],
    [{ fleet: [] }, 'fleet: list at least one charger'],
    [{ fleet: [{ chargerId: '', connectors: ['1'] }] }, 'fleet.0.chargerId'],
    [
      { fleet, thresholds: { 'breaker-open-under-load': { warningAmps: -1 } } },
      'thresholds.breaker-open-under-load.warningAmps',
    ],
    [
      { fleet, thresholds: { 'soc-shortfall': { targetSocPercent: 120 } } },
      'thresholds.soc-shortfall.targetSocPercent',
    ],
    [{ fleet, thresholds: { 'soc-shortfall': { targetSocPrecent: 80 } } }, 'targetSocPrecent'],
    [{ fleet, thresholds: { 'no-such-rule': {} } }, 'no-such-rule'],
    [
      { fleet, thresholds: { 'converter-error-counter': { warningSeverity: 'loud' } } },
      'thresholds.converter-error-counter.warningSeverity',
    ],
    [
      { fleet, thresholds: { 'breaker-open-under-load': { warningAmps: 80 } } },
      'thresholds.breaker-open-under-load.criticalAmps: must be at least warningAmps',
    ],
    [
      {
        fleet,
        overrides: [
          { chargerId: 'HPC-001', thresholds: { 'breaker-open-under-load': { criticalAmps: 2 } } },
        ],
      },
      'overrides.0.thresholds.breaker-open-under-load.criticalAmps',
    ],
    [{ fleet, api: { baseUrl: 'not a url' } }, 'api.baseUrl'],
    [{ fleet, archvie: './x' }, 'archvie'],
  ])('rejects %j naming %s', (input, field) => {
    expect(() => parseConfig(input, 'depot.json')).toThrow(ConfigError);
    expect(() => parseConfig(input, 'depot.json')).toThrow(field);
  });

  it('takes credentials from the environment before the file, and never prints them', () => {
    const config = parseConfig(
      { fleet, credentials: { clientId: 'file-id', clientSecret: 'file-secret' } },
      'test',
    );
    const creds = credentialsFrom(config, { DEPOT_WATCH_CLIENT_SECRET: 'env-secret' });
    expect(creds.clientId.reveal()).toBe('file-id');
    expect(creds.clientSecret.reveal()).toBe('env-secret');
    expect(JSON.stringify(creds)).not.toContain('secret"');
    expect(`${creds.clientSecret}`).toBe('[redacted]');
  });

  it('names the missing variable when a credential is missing', () => {
    const config = parseConfig({ fleet }, 'test');
    expect(() => credentialsFrom(config, { DEPOT_WATCH_CLIENT_ID: 'id' })).toThrow(
      'missing DepotFinity credentials: set DEPOT_WATCH_CLIENT_SECRET in the environment',
    );
  });
});
