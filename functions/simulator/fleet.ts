import {
  ANOMALIES,
  ANOMALY_KINDS,
  type ConverterDrift,
  checkDrift,
  driftPercentAt,
  type RawReport,
  setConverterEfficiency,
} from './anomalies.ts';
import { SeededRandom } from './random.ts';

/** How the synthetic fleet is made; the same options always give the same sessions. */
export interface FleetOptions {
  /** Seed of every random choice. Default: 7. */
  seed: number;
  /** Number of chargers. Default: 4. */
  chargers: number;
  /** Connectors per charger, numbered from 1. Default: 2. */
  connectorsPerCharger: number;
  /** One session starts in each slot of this length on every connector. Default: 180 min. */
  sessionIntervalMinutes: number;
  /**
   * Sessions per slot, spread evenly over it: more than one packs a connector's window so that
   * it spans several pages, for benchmarks of paging. They overlap in time, which no real
   * connector does and nothing the scan reads forbids. Default: 1.
   */
  sessionsPerSlot?: number;
  /** One session in this many carries an injected fault; 0 for a healthy fleet. Default: 5. */
  anomalyEvery: number;
  /** One session in this many is served schema-invalid; 0 for none. Default: 0. */
  invalidEvery: number;
  /**
   * A vehicle (`BUS-100`..`BUS-159`) whose every session, on any charger, fails battery voltage
   * alignment and carries nothing else: a fault of the bus, not of the chargers. Default: none.
   */
  faultyVehicle?: string;
  /**
   * One connector whose converter efficiency declines slowly (±0.5 point of noise); healthy
   * before the drift begins. Its sessions carry no rotating fault, so the drift is the only
   * thing on that connector. Default: none.
   */
  drift?: ConverterDrift;
}

export const DEFAULT_FLEET: FleetOptions = {
  seed: 7,
  chargers: 4,
  connectorsPerCharger: 2,
  sessionIntervalMinutes: 180,
  anomalyEvery: 5,
  invalidEvery: 0,
};

/** One simulated charging session and what was injected into it. */
export interface SimulatedSession {
  chargerId: string;
  connectorId: string;
  sessionId: number;
  start: number;
  end: number;
  /** The rule id whose fault was injected, if any. */
  anomaly?: string;
  /** Served with a wrong field type, to be quarantined. */
  invalid: boolean;
  /** The converter efficiency a drift gave this session, in percent, noise included. */
  efficiencyPercent?: number;
  report: RawReport;
}

/**
 * A deterministic synthetic depot. Sessions sit in fixed time slots counted from the Unix
 * epoch, so a session's id and content depend only on the seed, the connector and the slot:
 * overlapping windows, re-runs and restarts of the simulator all see the same sessions.
 */
export class SimulatedFleet {
  readonly options: FleetOptions;
  readonly #chargerIds: string[];
  readonly #connectorIds: string[];
  readonly #chargerIndex: Map<string, number>;
  /**
   * Buses in the depot, `BUS-100` onwards: sixty, or one per connector in a larger depot, so a
   * bus charges a few times a day as a real one does, whatever the fleet's size.
   */
  readonly #vehicles: number;

  constructor(options: Partial<FleetOptions> = {}) {
    this.options = { ...DEFAULT_FLEET, ...options };
    if (this.options.drift) checkDrift(this.options.drift);
    this.#chargerIds = Array.from(
      { length: this.options.chargers },
      (_, i) => `HPC-${String(i + 1).padStart(3, '0')}`,
    );
    this.#connectorIds = Array.from({ length: this.options.connectorsPerCharger }, (_, i) =>
      String(i + 1),
    );
    // Looked up on every request: a linear search would make a large fleet's simulator the bottleneck.
    this.#chargerIndex = new Map(this.#chargerIds.map((id, i) => [id, i]));
    this.#vehicles = Math.max(60, this.options.chargers * this.options.connectorsPerCharger);
  }

  /** Charger ids, `HPC-001` onwards. */
  chargerIds(): string[] {
    return [...this.#chargerIds];
  }

  /** Connector ids of every charger, `1` onwards. */
  connectorIds(): string[] {
    return [...this.#connectorIds];
  }

  /** Whether this charger and connector exist in the fleet. */
  has(chargerId: string, connectorId: string): boolean {
    return this.#connectorIndex(chargerId, connectorId) !== undefined;
  }

  /** Sessions that started in [from, to) and had ended by `now`, oldest first. */
  sessionsBetween(
    chargerId: string,
    connectorId: string,
    from: number,
    to: number,
    now: number,
  ): SimulatedSession[] {
    const index = this.#connectorIndex(chargerId, connectorId);
    if (index === undefined) return [];
    const slotMs = this.options.sessionIntervalMinutes * 60_000;
    const perSlot = this.options.sessionsPerSlot ?? 1;
    const sessions: SimulatedSession[] = [];
    // A session starts at most 40 minutes after its place in the slot; look one slot back to
    // catch late starts.
    for (let slot = Math.floor(from / slotMs) - 1; slot * slotMs < to; slot++) {
      for (let nth = 0; nth < perSlot; nth++) {
        const session = this.session(chargerId, connectorId, index, slot, nth);
        if (session.start >= from && session.start < to && session.end <= now)
          sessions.push(session);
      }
    }
    // Several sessions per slot start out of order; a page must still be oldest first.
    if (perSlot > 1) sessions.sort((a, b) => a.start - b.start);
    return sessions;
  }

  /** The session in one slot of one connector; `nth` counts sessions within the slot. */
  session(
    chargerId: string,
    connectorId: string,
    index: number,
    slot: number,
    nth = 0,
  ): SimulatedSession {
    const { seed, anomalyEvery, invalidEvery, sessionIntervalMinutes, faultyVehicle, drift } =
      this.options;
    const perSlot = this.options.sessionsPerSlot ?? 1;
    // With one session per slot, `nth` is 0 and every session is the one the slot always had.
    const rng =
      nth === 0
        ? new SeededRandom(seed, chargerId, connectorId, slot)
        : new SeededRandom(seed, chargerId, connectorId, slot, nth);
    const slotMs = sessionIntervalMinutes * 60_000;
    const slotStart = slot * slotMs + Math.floor((nth * slotMs) / perSlot);
    // The session's number on its connector: ids, meter readings and faults follow it.
    const sequence = slot * perSlot + nth;
    const report = healthyReport(rng, slotStart, index, sequence, this.#vehicles);
    const ofFaultyVehicle = faultyVehicle !== undefined && report.vehicleId === faultyVehicle;
    const drifting = drift?.chargerId === chargerId && drift.connectorId === connectorId;
    // The faulty bus and the drifting converter must be the only thing on their sessions, or a
    // rotating fault would blur what attribution and drift detection are meant to see.
    const rotating = !ofFaultyVehicle && !drifting;
    const phase = sequence + index;
    let anomaly =
      rotating && anomalyEvery > 0 && phase % anomalyEvery === 0
        ? ANOMALY_KINDS[(Math.floor(phase / anomalyEvery) + index) % ANOMALY_KINDS.length]
        : undefined;
    if (anomaly) ANOMALIES[anomaly]?.(report, rng);
    if (ofFaultyVehicle) {
      anomaly = 'battery-misalignment';
      ANOMALIES[anomaly]?.(report, rng);
    }
    const line =
      drift && drifting
        ? driftPercentAt(drift, Date.parse(report.sessionTimeStart as string))
        : undefined;
    const efficiencyPercent = line === undefined ? undefined : line + rng.between(-0.5, 0.5);
    if (efficiencyPercent !== undefined) setConverterEfficiency(report, efficiencyPercent);
    const invalid =
      rotating && !anomaly && invalidEvery > 0 && (sequence * 3 + index) % invalidEvery === 1;
    if (invalid) report.energySocEnd = 'full' as unknown as number;
    const session: SimulatedSession = {
      chargerId,
      connectorId,
      sessionId: report.sessionId as number,
      start: Date.parse(report.sessionTimeStart as string),
      end: Date.parse(report.sessionTimeEnd as string),
      invalid,
      report,
    };
    if (anomaly) session.anomaly = anomaly;
    if (efficiencyPercent !== undefined) session.efficiencyPercent = efficiencyPercent;
    return session;
  }

  #connectorIndex(chargerId: string, connectorId: string): number | undefined {
    const charger = this.#chargerIndex.get(chargerId);
    const connector = this.#connectorIds.indexOf(connectorId);
    if (charger === undefined || connector < 0) return undefined;
    return charger * this.options.connectorsPerCharger + connector;
  }
}

/**
 * A healthy session with the proportions of the vendor's example: ~95 % converter efficiency,
 * >99 % of requested energy delivered, power near the vehicle's request, breaker opened at ~0 A.
 */
function healthyReport(
  rng: SeededRandom,
  slotStart: number,
  index: number,
  sequence: number,
  vehicles: number,
): RawReport {
  const start = slotStart + rng.int(0, 40) * 60_000 + rng.int(0, 59_999);
  const capacityWh = rng.int(280, 400) * 1000;
  const socStart = rng.int(35, 65);
  const socEnd = rng.int(92, 100);
  const deliveredWh = Math.round(((socEnd - socStart) / 100) * capacityWh);
  const requestMaxPower = rng.int(220, 320) * 1000;
  const averagePower = requestMaxPower * rng.between(0.82, 0.92);
  const durationMs = Math.round((deliveredWh / averagePower) * 3_600_000);
  const end = start + durationMs;
  const efficiency = rng.between(0.94, 0.965);
  const chargeStart = 1_000_000 + index * 50_000_000 + sequence * 400;
  const primaryStart = 290_000_000 + index * 90_000_000 + sequence * 430;
  const requestedStart = chargeStart + 7_000;
  const voltage = rng.int(600, 700);
  const at = (fraction: number) =>
    new Date(start + Math.round(durationMs * fraction)).toISOString();
  // A true peak sits above the average and within what the vehicle asks for.
  const peakPower = Math.min(requestMaxPower * 0.99, averagePower * rng.between(1.04, 1.1));
  const peakCurrent = Math.round(peakPower / voltage);
  return {
    sessionId: 100_000_000 + index * 1_000_000 + (sequence % 1_000_000),
    vehicleId: `BUS-${100 + rng.int(0, vehicles - 1)}`,
    sessionTimeStart: new Date(start).toISOString(),
    sessionTimeEnd: new Date(end).toISOString(),
    energySocStart: socStart,
    energySocEnd: socEnd,
    energyChargeStart: chargeStart,
    energyChargeEnd: chargeStart + deliveredWh,
    energyPrimaryStart: primaryStart,
    energyPrimaryEnd: primaryStart + Math.round(deliveredWh / efficiency),
    energyRequestedStart: requestedStart,
    energyRequestedEnd: requestedStart + Math.round(deliveredWh * rng.between(1.001, 1.006)),
    ocppStatus: [
      { value: 'Preparing', eventTimestamp: at(-0.02) },
      { value: 'Charging', eventTimestamp: at(0) },
      { value: 'Finishing', eventTimestamp: at(1) },
      { value: 'Available', eventTimestamp: at(1.01) },
    ],
    detailStatus: [
      { key: 'systemStatus', value: '0x00000000', eventTimestamp: at(0) },
      { key: 'operationalStatus', value: '0x00000000', eventTimestamp: at(0) },
      { key: 'chargingProcessStatus', value: '0x0000000B', eventTimestamp: at(1) },
    ],
    deviceStatus: [
      { deviceId: 'Breaker', status: 'OPEN', eventTimestamp: at(1) },
      {
        deviceId: 'Converter',
        status: 'STANDBY',
        eventTimestamp: at(1),
        errorCodes: [
          {
            errorCode: `WARN: converter : sibcos ${rng.int(1, 6)}: VQS disabled from operating mode(no:144)`,
            errorCounter: rng.int(0, 3),
          },
        ],
      },
    ],
    chargeParameters: [
      {
        paramType: 'Station',
        maxPower: 450_000,
        maxCurrent: 600,
        maxVoltage: 750,
        minCurrent: 0,
        minVoltage: 400,
        eventTimestamp: at(-0.01),
      },
      {
        paramType: 'Request',
        maxPower: requestMaxPower,
        maxCurrent: 800,
        maxVoltage: 750,
        minCurrent: 0,
        minVoltage: 0,
        eventTimestamp: at(-0.01),
      },
    ],
    sessionMeterValues: [
      { key: 'present_current', value: 0, eventTimestamp: at(-0.01) },
      { key: 'present_voltage', value: voltage - 40, eventTimestamp: at(0) },
      { key: 'present_current', value: peakCurrent, eventTimestamp: at(0.3) },
      { key: 'present_voltage', value: voltage, eventTimestamp: at(0.3) },
      { key: 'present_current', value: Math.round(peakCurrent * 0.6), eventTimestamp: at(0.9) },
      { key: 'present_voltage', value: voltage + 20, eventTimestamp: at(0.9) },
    ],
    batteryAlignmentResults: {
      inRange: true,
      presentVoltage: voltage - 40 + rng.int(-3, 3),
      requestedVoltage: voltage - 40,
      eventTimestamp: at(-0.005),
    },
    dcBreakerOpenConditions: {
      current: rng.int(0, 15) / 10,
      voltage: voltage + 10,
      eventTimestamp: at(1),
    },
  };
}
