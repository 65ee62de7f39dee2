import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateReport } from '../../functions/core/evaluate.ts';
import type { Severity } from '../../functions/core/finding.ts';
import type { SessionReport } from '../../functions/core/session-report.ts';
import { defaultThresholds } from '../../functions/core/thresholds.ts';
import { SeededRandom } from '../../functions/simulator/random.ts';

/** The rules a fault can be injected for, and the severities each can fire at by default. */
export const FAULT_SEVERITIES = {
  'breaker-open-under-load': ['warning', 'critical'],
  'converter-efficiency': ['warning'],
  'soc-shortfall': ['warning'],
  'energy-shortfall': ['warning'],
  'no-energy-delivered': ['warning'],
  'ocpp-faulted': ['critical'],
  'battery-misalignment': ['warning', 'critical'],
  'converter-error-counter': ['warning', 'critical'],
  'detail-status-fault-bits': ['warning'],
  'meter-data-quality': ['info'],
  'power-derating': ['warning'],
} as const satisfies Record<string, readonly Severity[]>;

/** A rule the generator can make fire. */
export type FaultRule = keyof typeof FAULT_SEVERITIES;

/**
 * A fault injected into a history: `rule` fires in every session of the connector that starts
 * within [from, until), at `severity` (default: the first one the rule supports).
 */
export interface InjectedFault {
  chargerId: string;
  connectorId: string;
  rule: FaultRule;
  from: string;
  until: string;
  severity?: Severity;
}

/**
 * A fault that follows a bus: `rule` fires in every session of `vehicleId` (`BUS-100`..`BUS-139`)
 * that starts within [from, until), on whichever connector it charges.
 */
export interface VehicleFault {
  vehicleId: string;
  rule: FaultRule;
  from: string;
  until: string;
  severity?: Severity;
}

/**
 * A converter losing efficiency: `fromPercent` at `from`, falling in a straight line to
 * `toPercent` at `until`, and staying there; healthy (94–97 %) before `from`. Sessions that
 * end up under the 90 % floor carry `converter-efficiency` in their record.
 */
export interface InjectedDrift {
  chargerId: string;
  connectorId: string;
  from: string;
  until: string;
  fromPercent: number;
  toPercent: number;
}

/** The shape of a generated history: fleet, span, schedule, seed and faults. */
export interface HistoryOptions {
  /** Seeds the PRNG; the same options always give the same history, byte for byte. */
  seed: number;
  /** Chargers in the fleet, named `HPC-01`, `HPC-02`, … */
  chargers: number;
  /** Connectors per charger, named `1`, `2`, … */
  connectors: number;
  days: number;
  /** Hours between the slots of one connector's sessions; at least 3, so sessions never overlap. */
  everyHours: number;
  /** When the history begins, ISO. @default '2026-03-02T00:00:00.000Z' (a Monday) */
  start?: string;
  /** Faults on a connector, or (naming `vehicleId` instead) on a bus wherever it charges. */
  faults?: readonly (InjectedFault | VehicleFault)[];
  /** Converters losing efficiency slowly, one drift per connector at most. @default none */
  drifts?: readonly InjectedDrift[];
}

/** One generated session: where, when, which faults it carries, and the raw report. */
export interface GeneratedSession {
  chargerId: string;
  connectorId: string;
  sessionId: string;
  vehicleId: string;
  /** The session's start and end, normalised ISO (as the engine orders them). */
  start: string;
  end: string;
  faults: { rule: FaultRule; severity: Severity }[];
  /**
   * The converter efficiency the meters were given, in percent: healthy, drifting, or the
   * `converter-efficiency` fault's. Faults that rewrite the meters otherwise leave it as is.
   */
  efficiencyPercent: number;
  report: SessionReport;
}

/** A generated history and its record: every session with the faults it was given. */
export interface GeneratedHistory {
  options: HistoryOptions;
  /** The fleet as a config lists it. */
  fleet: { chargerId: string; connectors: string[] }[];
  /** Every session, connector by connector, oldest first within each. */
  sessions: GeneratedSession[];
}

/** Charger id of the n-th charger (0-based). */
export const chargerIdOf = (n: number) => `HPC-${String(n + 1).padStart(2, '0')}`;

const DEFAULT_START = '2026-03-02T00:00:00.000Z';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A seeded history of session reports for a fleet of chargers × connectors: one session per
 * slot of `everyHours` per connector, healthy unless a fault covers its start. The record is
 * checked against the real rules with default thresholds: a session fires exactly the rules
 * of its faults, at their severities, or generation throws.
 */
export function generateHistory(options: HistoryOptions): GeneratedHistory {
  if (options.everyHours < 3) throw new Error('everyHours must be at least 3');
  const faults = options.faults ?? [];
  for (const fault of faults) {
    const allowed: readonly Severity[] = FAULT_SEVERITIES[fault.rule];
    if (fault.severity && !allowed.includes(fault.severity))
      throw new Error(`${fault.rule} fires at ${allowed.join(' or ')}, not ${fault.severity}`);
    // Casts and plain JS can give both forms or neither; either would silently mean nothing.
    const onConnector = 'chargerId' in fault || 'connectorId' in fault;
    if (onConnector === 'vehicleId' in fault)
      throw new Error(
        `a ${fault.rule} fault names either chargerId and connectorId or vehicleId, not ${onConnector ? 'both' : 'neither'}`,
      );
  }
  const drifts = options.drifts ?? [];
  for (const drift of drifts) checkDrift(drift, options);
  const rng = new SeededRandom(options.seed);
  const random = () => rng.next();
  const begin = Date.parse(options.start ?? DEFAULT_START);
  const slots = Math.floor((options.days * 24) / options.everyHours);
  const fleet = Array.from({ length: options.chargers }, (_, c) => ({
    chargerId: chargerIdOf(c),
    connectors: Array.from({ length: options.connectors }, (_, k) => String(k + 1)),
  }));
  const sessions: GeneratedSession[] = [];
  for (const { chargerId, connectors } of fleet) {
    for (const connectorId of connectors) {
      // Each connector keeps its own phase and meter counters, as a real one would.
      const phaseMinutes = Math.floor(random() * 30);
      const meters = { charge: 1_000_000 + Math.floor(random() * 9_000_000), primary: 0 };
      meters.primary = 200_000_000 + Math.floor(random() * 100_000_000);
      for (let slot = 0; slot < slots; slot++) {
        // Every draw happens whatever the faults, so injecting one moves no other session.
        const draw = {
          jitter: random(),
          duration: random(),
          socStart: random(),
          socEnd: random(),
          energy: random(),
          efficiency: random(),
          request: random(),
          vehicle: random(),
          breaker: random(),
          magnitude: random(),
        };
        const startMs =
          begin +
          slot * options.everyHours * HOUR +
          (phaseMinutes + Math.floor(draw.jitter * 20)) * MINUTE;
        const endMs = startMs + (90 + Math.floor(draw.duration * 30)) * MINUTE;
        const start = new Date(startMs).toISOString();
        const vehicleId = `BUS-${100 + Math.floor(draw.vehicle * 40)}`;
        const sessionFaults = faults
          .filter(
            (f) =>
              ('vehicleId' in f
                ? f.vehicleId === vehicleId
                : f.chargerId === chargerId && f.connectorId === connectorId) &&
              Date.parse(f.from) <= startMs &&
              startMs < Date.parse(f.until),
          )
          .map((f) => ({ rule: f.rule, severity: f.severity ?? FAULT_SEVERITIES[f.rule][0] }));
        const drift = drifts.find(
          (d) => d.chargerId === chargerId && d.connectorId === connectorId,
        );
        const sessionId = `${chargerId}-${connectorId}-${String(slot).padStart(4, '0')}`;
        const driftPercent = drift && driftPercentAt(drift, startMs);
        const { report, efficiencyPercent } = sessionReport({
          sessionId,
          vehicleId,
          startMs,
          endMs,
          draw,
          meters,
          faults: sessionFaults,
          driftPercent,
        });
        // Past the floor a drift is a per-session fault too; the record says so, as the rule will.
        const underFloor =
          driftPercent !== undefined && meterEfficiencyPercent(report) < FLOOR_PERCENT;
        if (underFloor && !sessionFaults.some((f) => f.rule === 'converter-efficiency'))
          sessionFaults.push({ rule: 'converter-efficiency', severity: 'warning' });
        sessions.push({
          chargerId,
          connectorId,
          sessionId,
          vehicleId,
          start,
          end: new Date(endMs).toISOString(),
          faults: sessionFaults,
          efficiencyPercent,
          report,
        });
      }
    }
  }
  const history = { options, fleet, sessions };
  checkRecord(history);
  return history;
}

/** The `converter-efficiency` rule's default floor, in percent. */
const FLOOR_PERCENT = 90;

/** Throws unless the drift names a connector of the fleet, an ordered span and sane efficiencies. */
function checkDrift(drift: InjectedDrift, options: HistoryOptions): void {
  const where = `drift on ${drift.chargerId}/${drift.connectorId}`;
  const charger = Number(drift.chargerId.replace(/^HPC-/, '')) - 1;
  const connector = Number(drift.connectorId) - 1;
  if (chargerIdOf(charger) !== drift.chargerId || !(charger < options.chargers))
    throw new Error(`${where}: no such charger`);
  if (!Number.isInteger(connector) || connector < 0 || connector >= options.connectors)
    throw new Error(`${where}: no such connector`);
  if (!(Date.parse(drift.from) < Date.parse(drift.until)))
    throw new Error(`${where}: from must be before until`);
  for (const percent of [drift.fromPercent, drift.toPercent])
    if (!(percent > 50 && percent <= 99))
      throw new Error(`${where}: ${percent} % is not in (50, 99]`);
}

/** The drift's efficiency in percent at `atMs`, or undefined before it begins. */
function driftPercentAt(drift: InjectedDrift, atMs: number): number | undefined {
  const from = Date.parse(drift.from);
  if (atMs < from) return undefined;
  const progress = Math.min(1, (atMs - from) / (Date.parse(drift.until) - from));
  return drift.fromPercent + (drift.toPercent - drift.fromPercent) * progress;
}

/** Efficiency as the rule computes it from the meters, in percent. */
function meterEfficiencyPercent(report: SessionReport): number {
  const dc = (report.energyChargeEnd ?? 0) - (report.energyChargeStart ?? 0);
  const grid = (report.energyPrimaryEnd ?? 0) - (report.energyPrimaryStart ?? 0);
  // Sessions the rule cannot judge (too little grid energy, a DC meter run backwards) never are.
  return grid < 5_000 || dc < 0 ? 100 : (dc / grid) * 100;
}

type Draws = Record<
  | 'jitter'
  | 'duration'
  | 'socStart'
  | 'socEnd'
  | 'energy'
  | 'efficiency'
  | 'request'
  | 'vehicle'
  | 'breaker'
  | 'magnitude',
  number
>;

/** One report: healthy figures, then each fault's change to the field its rule reads. */
function sessionReport(s: {
  sessionId: string;
  vehicleId: string;
  startMs: number;
  endMs: number;
  draw: Draws;
  meters: { charge: number; primary: number };
  faults: { rule: FaultRule; severity: Severity }[];
  /** The drift's efficiency at this session's start, if a drift has begun on its connector. */
  driftPercent: number | undefined;
}): { report: SessionReport; efficiencyPercent: number } {
  const { draw, meters } = s;
  const at = (minutes: number) => new Date(s.startMs + minutes * MINUTE).toISOString();
  const end = new Date(s.endMs).toISOString();
  // 80–160 kWh in 90–120 min: at most ~107 kW on average, well under the 300 kW peak.
  const delivered = 80_000 + Math.floor(draw.energy * 80_000);
  // A drift reuses the efficiency draw as its ±0.5 point noise, so the draw order never changes.
  let efficiency =
    s.driftPercent === undefined
      ? 0.94 + draw.efficiency * 0.03
      : (s.driftPercent + (draw.efficiency - 0.5)) / 100;
  const grid = Math.round(delivered / efficiency);
  const requested = delivered + Math.floor(draw.request * 0.015 * delivered);
  const report = {
    sessionId: s.sessionId,
    vehicleId: s.vehicleId,
    sessionTimeStart: new Date(s.startMs).toISOString(),
    sessionTimeEnd: end,
    energySocStart: 20 + Math.floor(draw.socStart * 20),
    energySocEnd: 88 + Math.floor(draw.socEnd * 10),
    energyChargeStart: meters.charge,
    energyChargeEnd: meters.charge + delivered,
    energyPrimaryStart: meters.primary,
    energyPrimaryEnd: meters.primary + grid,
    energyRequestedStart: 0,
    energyRequestedEnd: requested,
    ocppStatus: [
      { value: 'Preparing', eventTimestamp: at(0) },
      { value: 'Charging', eventTimestamp: at(2) },
      { value: 'Finishing', eventTimestamp: end },
    ],
    detailStatus: [
      { key: 'systemStatus', value: '0x00000000', eventTimestamp: at(0) },
      { key: 'operationalStatus', value: '0x00000000', eventTimestamp: at(0) },
    ],
    deviceStatus: [
      { deviceId: 'Breaker', status: 'OPEN', eventTimestamp: end },
      {
        deviceId: 'Converter',
        status: 'STANDBY',
        errorCodes: [
          { errorCode: 'WARN: converter : sibcos 1: VQS disabled(no:144)', errorCounter: 2 },
        ],
        eventTimestamp: end,
      },
    ],
    chargeParameters: [
      { paramType: 'Station', maxPower: 400_000, maxCurrent: 600, maxVoltage: 750 },
      { paramType: 'Request', maxPower: 350_000, maxCurrent: 500, maxVoltage: 750 },
    ],
    sessionMeterValues: [
      { key: 'present_voltage', value: 650, eventTimestamp: at(3) },
      { key: 'present_current', value: 460, eventTimestamp: at(4) },
      { key: 'present_current', value: 180, eventTimestamp: at(60) },
    ],
    batteryAlignmentResults: {
      inRange: true as boolean,
      presentVoltage: 640,
      requestedVoltage: 640 + Math.floor(draw.magnitude * 4),
      eventTimestamp: at(1),
    },
    dcBreakerOpenConditions: {
      current: Math.round(draw.breaker * 20) / 10,
      voltage: 650,
      eventTimestamp: end,
    },
  } satisfies SessionReport;
  meters.charge += delivered;
  meters.primary += grid;

  for (const { rule, severity } of s.faults) {
    switch (rule) {
      case 'breaker-open-under-load':
        report.dcBreakerOpenConditions.current =
          severity === 'critical'
            ? 60 + Math.floor(draw.magnitude * 140)
            : 10 + Math.floor(draw.magnitude * 30);
        break;
      case 'converter-efficiency':
        // 84–87 %: below the 90 % floor; the counter still rises, so meter quality stays quiet.
        efficiency = 0.84 + draw.magnitude * 0.03;
        report.energyPrimaryEnd = report.energyPrimaryStart + Math.round(delivered / efficiency);
        meters.primary = report.energyPrimaryEnd;
        break;
      case 'soc-shortfall':
        // Ends at 70–75 %: short of the 80 % target, yet rising fast enough not to stall.
        report.energySocEnd = 70 + Math.floor(draw.magnitude * 6);
        break;
      case 'energy-shortfall':
        report.energyRequestedEnd = Math.round(delivered / (0.88 + draw.magnitude * 0.04));
        break;
      case 'no-energy-delivered':
        // Nothing on either meter: too little grid energy for efficiency, too little DC for
        // the shortfall or derating rules to judge.
        report.energyChargeEnd = report.energyChargeStart + Math.floor(draw.magnitude * 50);
        report.energyPrimaryEnd = report.energyPrimaryStart + 60;
        report.energyRequestedEnd = 0;
        report.sessionMeterValues = [];
        break;
      case 'ocpp-faulted':
        report.ocppStatus.splice(2, 0, { value: 'Faulted', eventTimestamp: at(30) });
        break;
      case 'battery-misalignment':
        if (severity === 'critical') report.batteryAlignmentResults.inRange = false;
        else
          report.batteryAlignmentResults.requestedVoltage =
            640 + 20 + Math.floor(draw.magnitude * 20);
        break;
      case 'converter-error-counter': {
        const converter = report.deviceStatus[1] as {
          errorCodes: { errorCode: string; errorCounter: number }[];
        };
        converter.errorCodes = [
          severity === 'critical'
            ? {
                errorCode: 'ERR: converter : sibcos 2: DC link overvoltage(no:17)',
                errorCounter: 1,
              }
            : {
                errorCode: 'WARN: converter : sibcos 1: VQS disabled(no:144)',
                errorCounter: 10 + Math.floor(draw.magnitude * 20),
              },
        ];
        break;
      }
      case 'detail-status-fault-bits':
        report.detailStatus[0] = {
          key: 'systemStatus',
          value: '0x00000010',
          eventTimestamp: at(30),
        };
        break;
      case 'meter-data-quality':
        // The request counter runs backwards: impossible, and too odd for the shortfall rule to judge.
        report.energyRequestedStart = requested;
        report.energyRequestedEnd = requested - 1_000;
        break;
      case 'power-derating':
        // Peaks at 35–45 % of the 350 kW both sides allow, still above the session's average.
        report.sessionMeterValues = [
          { key: 'present_voltage', value: 650, eventTimestamp: at(3) },
          {
            key: 'present_current',
            value: Math.round((350_000 * (0.35 + draw.magnitude * 0.1)) / 650),
            eventTimestamp: at(4),
          },
        ];
        break;
    }
  }
  return { report, efficiencyPercent: efficiency * 100 };
}

/** Throws unless every session fires exactly its own faults' rules at their severities. */
function checkRecord(history: GeneratedHistory): void {
  const thresholds = defaultThresholds();
  for (const session of history.sessions) {
    const { findings, ruleErrors } = evaluateReport(session.report, thresholds, session);
    const fired = [...new Set(findings.map((f) => `${f.rule}:${f.severity}`))].sort();
    const meant = [...new Set(session.faults.map((f) => `${f.rule}:${f.severity}`))].sort();
    if (ruleErrors.length > 0 || fired.join() !== meant.join())
      throw new Error(
        `generated session ${session.sessionId} fires [${fired.join(', ')}], meant [${meant.join(', ')}]`,
      );
  }
}

/** One connector's sessions from the record, oldest first. */
export function sessionsOf(
  history: GeneratedHistory,
  chargerId: string,
  connectorId: string,
): GeneratedSession[] {
  return history.sessions.filter((s) => s.chargerId === chargerId && s.connectorId === connectorId);
}

/**
 * Writes the history as API pages, one file per connector (`{ ChargerID, ConnectorID, items }`),
 * into `dir` or a new temp folder, and returns the folder.
 */
export async function writeHistory(history: GeneratedHistory, dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'depot-watch-history-')));
  await mkdir(folder, { recursive: true });
  for (const { chargerId, connectors } of history.fleet) {
    for (const connectorId of connectors) {
      const page = {
        ChargerID: chargerId,
        ConnectorID: connectorId,
        items: sessionsOf(history, chargerId, connectorId).map((s) => s.report),
      };
      await writeFile(join(folder, `${chargerId}_${connectorId}.json`), JSON.stringify(page));
    }
  }
  return folder;
}

/** The first run of a schedule every `everyMinutes` at or after `at` (a run sees what ended by then). */
export function runAtOrAfter(at: string, everyMinutes = 15): string {
  const every = everyMinutes * MINUTE;
  return new Date(Math.ceil(Date.parse(at) / every) * every).toISOString();
}
