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
  'energy-shortfall'(report, rng) {
    const delivered = (report.energyChargeEnd as number) - (report.energyChargeStart as number);
    report.energyRequestedEnd =
      (report.energyRequestedStart as number) + Math.round(delivered / rng.between(0.8, 0.92));
  },
  'converter-efficiency'(report, rng) {
    const delivered = (report.energyChargeEnd as number) - (report.energyChargeStart as number);
    report.energyPrimaryEnd =
      (report.energyPrimaryStart as number) + Math.round(delivered / rng.between(0.76, 0.87));
  },
  'ocpp-faulted'(report) {
    const statuses = report.ocppStatus as { value: string; eventTimestamp: string }[];
    const charging = statuses.find((s) => s.value === 'Charging');
    statuses.splice(2, 0, { value: 'Faulted', eventTimestamp: charging?.eventTimestamp ?? '' });
  },
  'detail-status-fault-bits'(report) {
    const words = report.detailStatus as { key: string; value: string }[];
    const system = words.find((w) => w.key === 'systemStatus');
    if (system) system.value = '0x00000410';
  },
  'no-energy-delivered'(report, rng) {
    // Plugged in, handshake failed: nothing flowed, the vehicle left as it came.
    const soc = rng.int(82, 90);
    report.energySocStart = soc;
    report.energySocEnd = soc;
    report.energyChargeEnd = report.energyChargeStart;
    report.energyRequestedEnd = report.energyRequestedStart;
    report.energyPrimaryEnd = (report.energyPrimaryStart as number) + rng.int(20, 80);
    const start = Date.parse(report.sessionTimeStart as string);
    report.sessionTimeEnd = new Date(start + rng.int(4, 9) * 60_000).toISOString();
    for (const sample of report.sessionMeterValues as { key: string; value: number }[]) {
      if (sample.key === 'present_current') sample.value = 0;
    }
  },
  'meter-data-quality'(report, rng) {
    report.energyChargeEnd = (report.energyChargeStart as number) - rng.int(1_000, 50_000);
  },
  'power-derating'(report, rng) {
    // The same energy at well under half the power: lower currents, a longer session.
    const factor = rng.between(0.3, 0.45);
    for (const sample of report.sessionMeterValues as { key: string; value: number }[]) {
      if (sample.key === 'present_current') sample.value = Math.round(sample.value * factor);
    }
    const start = Date.parse(report.sessionTimeStart as string);
    const end = Date.parse(report.sessionTimeEnd as string);
    report.sessionTimeEnd = new Date(start + Math.round((end - start) / factor)).toISOString();
  },
  'soc-shortfall'(report, rng) {
    // Unplugged early: the session is cut short well below target, meters and clock with it.
    const gain = report.energySocEnd - report.energySocStart;
    const shortEnd = Math.min(report.energySocStart + rng.int(8, 18), 75);
    shortenSession(report, (shortEnd - report.energySocStart) / gain);
  },
};

/**
 * A converter that slowly loses efficiency: from `fromPercent` to `toPercent` in a straight line
 * over the `days` before `endsAt` (epoch ms), at `toPercent` after. Slow enough that no single
 * session looks wrong while the drift stays above the `converter-efficiency` floor.
 */
export interface ConverterDrift {
  chargerId: string;
  connectorId: string;
  /** Efficiency when the drift begins, in percent; healthy sessions run at 94–96.5 %. */
  fromPercent: number;
  /** Efficiency the drift ends at and stays at, in percent. */
  toPercent: number;
  /** How long the decline takes, in days. */
  days: number;
  /** When the decline ends, epoch ms: an option, not the clock, so the fleet stays deterministic. */
  endsAt: number;
}

/** The drift's efficiency in percent at `at` (epoch ms), or undefined before it begins. */
export function driftPercentAt(drift: ConverterDrift, at: number): number | undefined {
  const span = drift.days * 86_400_000;
  const begins = drift.endsAt - span;
  if (at < begins) return undefined;
  const progress = Math.min(1, (at - begins) / span);
  return drift.fromPercent + (drift.toPercent - drift.fromPercent) * progress;
}

/** Sets the converter efficiency through the grid meter: the DC delivered stays what the bus got. */
export function setConverterEfficiency(report: RawReport, percent: number): void {
  const delivered = (report.energyChargeEnd as number) - (report.energyChargeStart as number);
  report.energyPrimaryEnd =
    (report.energyPrimaryStart as number) + Math.round(delivered / (percent / 100));
}

/** Throws unless a drift can be simulated: a positive span and efficiencies a meter can show. */
export function checkDrift(drift: ConverterDrift): void {
  const { fromPercent, toPercent, days, endsAt } = drift;
  for (const [name, value] of [
    ['fromPercent', fromPercent],
    ['toPercent', toPercent],
  ] as const)
    if (!(value > 0 && value <= 99))
      throw new RangeError(`drift.${name} must be in (0, 99], not ${value}`);
  if (!(days > 0)) throw new RangeError(`drift.days must be positive, not ${days}`);
  if (!Number.isFinite(endsAt))
    throw new RangeError(`drift.endsAt must be epoch ms, not ${endsAt}`);
}

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
