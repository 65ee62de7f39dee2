import type { SessionReport } from '../../functions/core/session-report.ts';

/** Charger and connector every test report is scanned on. */
export const ORIGIN = { chargerId: 'HPC-007', connectorId: '2' };

/** A healthy session report, shaped like the vendor's example; override what a test needs. */
export function healthyReport(overrides: Partial<SessionReport> = {}): SessionReport {
  return {
    sessionId: 123456789,
    vehicleId: 'BUS-101',
    sessionTimeStart: '2026-11-23T16:20:30.661Z',
    sessionTimeEnd: '2026-11-23T17:00:30.440Z',
    energySocStart: 40,
    energySocEnd: 96,
    energyChargeStart: 1_009_136,
    energyChargeEnd: 1_209_136,
    deviceStatus: [
      { deviceId: 'Breaker', status: 'OPEN' },
      {
        deviceId: 'Converter',
        status: 'STANDBY',
        errorCodes: [
          { errorCode: 'WARN: converter : sibcos 1: VQS disabled(no:144)', errorCounter: 2 },
        ],
      },
    ],
    batteryAlignmentResults: { inRange: true, presentVoltage: 633, requestedVoltage: 633 },
    dcBreakerOpenConditions: { current: 0, voltage: 676 },
    ...overrides,
  };
}
