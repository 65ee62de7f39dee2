import type { SeededRandom } from './random.ts';

/** A simulated session report under construction; fields as the vendor sends them. */
export type RawReport = Record<string, unknown> & {
  energySocStart: number;
  energySocEnd: number;
  deviceStatus: {
    deviceId: string;
    status: string;
    eventTimestamp: string;
    errorCodes?: { errorCode: string; errorCounter: number }[];
  }[];
  batteryAlignmentResults: {
    inRange: boolean;
    presentVoltage: number;
    requestedVoltage: number;
    eventTimestamp: string;
  };
  dcBreakerOpenConditions: { current: number; voltage: number; eventTimestamp: string };
};

/**
 * Faults the simulator injects into otherwise healthy sessions, keyed by the rule id that must
 * catch each one. Each mutation leaves every other rule quiet, so a test can check that an
 * injected fault raises exactly the finding meant for it.
 */
export const ANOMALIES: Record<string, (report: RawReport, rng: SeededRandom) => void> = {
  'converter-error-counter'(report, rng) {
    const converter = report.deviceStatus.find((d) => d.deviceId === 'Converter');
    const module = rng.int(1, 6);
    const code =
      rng.next() < 0.5
        ? {
            errorCode: `WARN: converter : sibcos ${module}: VQS disabled from operating mode(no:144)`,
            errorCounter: rng.int(25, 90),
          }
        : {
            errorCode: `ERR: converter : sibcos ${module}: DC link overvoltage(no:231)`,
            errorCounter: rng.int(1, 4),
          };
    converter?.errorCodes?.push(code);
  },
  'battery-misalignment'(report, rng) {
    const check = report.batteryAlignmentResults;
    check.inRange = false;
    check.presentVoltage = check.requestedVoltage - rng.int(30, 80);
  },
  'breaker-open-under-load'(report, rng) {
    report.dcBreakerOpenConditions.current = rng.int(80, 250);
  },
  'soc-shortfall'(report, rng) {
    // Unplugged early: the session is cut short well below target, meters and clock with it.
    const gain = report.energySocEnd - report.energySocStart;
    const shortGain = Math.min(gain, rng.int(8, 18));
    shortenSession(report, shortGain / gain);
  },
};

/** The anomaly kinds, in the order the simulated fleet rotates through them. */
export const ANOMALY_KINDS: readonly string[] = Object.keys(ANOMALIES);

/** Ends a session early: SoC, energy counters and end time keep only `fraction` of their rise. */
function shortenSession(report: RawReport, fraction: number): void {
  const scale = (startKey: string, endKey: string, round: (n: number) => number) => {
    const start = report[startKey] as number;
    report[endKey] = round(start + ((report[endKey] as number) - start) * fraction);
  };
  scale('energySocStart', 'energySocEnd', Math.round);
  scale('energyChargeStart', 'energyChargeEnd', Math.round);
  scale('energyPrimaryStart', 'energyPrimaryEnd', Math.round);
  scale('energyRequestedStart', 'energyRequestedEnd', Math.round);
  const start = Date.parse(report.sessionTimeStart as string);
  const end = Date.parse(report.sessionTimeEnd as string);
  report.sessionTimeEnd = new Date(start + Math.round((end - start) * fraction)).toISOString();
}
