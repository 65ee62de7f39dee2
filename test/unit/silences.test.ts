import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.ts';
import type { Incident } from '../../functions/core/incidents/incident.ts';
import {
  type MaintenanceWindow,
  maintenanceWindowSchema,
  silencer,
  windowOpen,
} from '../../functions/core/incidents/silences.ts';

const incident = (chargerId: string, connectorId: string, rule: string) =>
  ({ chargerId, connectorId, rule }) as Incident;

// Nights in Berlin: 22:00–06:00 local, starting Monday to Friday.
const nights: MaintenanceWindow = maintenanceWindowSchema.parse({
  chargerId: 'HPC-001',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '22:00',
  end: '06:00',
  timeZone: 'Europe/Berlin',
});

describe('maintenance windows', () => {
  it('follow the local clock of their time zone, across midnight and daylight saving', () => {
    // Winter, UTC+1. Monday 2026-11-30 21:30 UTC is 22:30 in Berlin: open.
    expect(windowOpen(nights, '2026-11-30T21:30:00Z')).toBe(true);
    expect(windowOpen(nights, '2026-11-30T20:59:00Z')).toBe(false); // 21:59 local
    // Tuesday 04:59 UTC is 05:59 local, the tail of Monday's night: open; 05:00 UTC is 06:00.
    expect(windowOpen(nights, '2026-12-01T04:59:00Z')).toBe(true);
    expect(windowOpen(nights, '2026-12-01T05:00:00Z')).toBe(false);
    // Saturday 23:00 local is not a listed start day; Saturday 03:00 local is Friday's tail.
    expect(windowOpen(nights, '2026-12-05T22:00:00Z')).toBe(false);
    expect(windowOpen(nights, '2026-12-05T02:00:00Z')).toBe(true);
    // Sunday night into Monday: Sunday is not listed, so Monday 01:00 local is closed.
    expect(windowOpen(nights, '2026-12-07T00:00:00Z')).toBe(false);
    // Summer, UTC+2. Wednesday 2026-07-01 20:30 UTC is 22:30 local: open; 19:30 UTC is not.
    expect(windowOpen(nights, '2026-07-01T20:30:00Z')).toBe(true);
    expect(windowOpen(nights, '2026-07-01T19:30:00Z')).toBe(false);
  });

  it('refuse a time zone that does not exist and a connector without its charger', () => {
    const wrong = maintenanceWindowSchema.safeParse({ ...nights, timeZone: 'Europe/Berln' });
    expect(wrong.error?.issues[0]?.path).toEqual(['timeZone']);
    const orphan = maintenanceWindowSchema.safeParse({
      ...nights,
      chargerId: undefined,
      connectorId: '1',
    });
    expect(orphan.error?.issues[0]?.message).toContain('a connector needs its chargerId');
  });
});

describe('silences', () => {
  const silenced = silencer(
    [
      {
        chargerId: 'HPC-002',
        connectorId: '1',
        rules: ['soc-shortfall'],
        from: '2026-11-30T08:00:00Z',
        until: '2026-11-30T12:00:00Z',
        reason: 'battery swap',
      },
    ],
    [nights],
  );

  it('hold only the charger, connector and rules they name, only while in force', () => {
    const soc = incident('HPC-002', '1', 'soc-shortfall');
    expect(silenced(soc, '2026-11-30T07:59:59Z')).toBe(false);
    expect(silenced(soc, '2026-11-30T08:00:00Z')).toBe(true);
    expect(silenced(soc, '2026-11-30T11:59:59Z')).toBe(true);
    expect(silenced(soc, '2026-11-30T12:00:00Z')).toBe(false); // until is exclusive
    expect(silenced(incident('HPC-002', '2', 'soc-shortfall'), '2026-11-30T09:00:00Z')).toBe(false);
    expect(silenced(incident('HPC-002', '1', 'ocpp-faulted'), '2026-11-30T09:00:00Z')).toBe(false);
    // The window covers every connector and rule of HPC-001, and nothing of HPC-002.
    expect(silenced(incident('HPC-001', '2', 'ocpp-faulted'), '2026-11-30T21:30:00Z')).toBe(true);
    expect(silenced(incident('HPC-002', '2', 'ocpp-faulted'), '2026-11-30T21:30:00Z')).toBe(false);
  });

  it('in a config must name chargers, connectors and rules that exist, and end after they start', () => {
    const config = (silence: Record<string, unknown>) => () =>
      parseConfig(
        {
          fleet: [{ chargerId: 'HPC-001', connectors: ['1', '2'] }],
          silences: [
            {
              chargerId: 'HPC-001',
              from: '2026-11-30T08:00:00Z',
              until: '2026-11-30T12:00:00Z',
              reason: 'r',
              ...silence,
            },
          ],
        },
        'depot.json',
      );
    expect(config({})).not.toThrow();
    expect(config({ chargerId: 'HPC-009' })).toThrow(
      /silences\.0\.chargerId.*"HPC-009" is not in the fleet/,
    );
    expect(config({ connectorId: '3' })).toThrow(/silences\.0\.connectorId.*no connector "3"/);
    expect(config({ rules: ['soc-shortfal'] })).toThrow(/silences\.0\.rules.*"soc-shortfal"/);
    expect(config({ until: '2026-11-30T07:00:00Z' })).toThrow(
      /silences\.0\.until.*until must be after from/,
    );
    expect(config({ from: 'yesterday' })).toThrow(/silences\.0\.from.*ISO date-time/);
  });
});
