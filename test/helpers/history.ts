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
  faults?: readonly InjectedFault[];
}

/** One generated session: where, when, which faults it carries, and the raw report. */
export interface GeneratedSession {
  chargerId: string;
  connectorId: string;
  sessionId: string;
  /** The session's start and end, normalised ISO (as the engine orders them). */
  start: string;
  end: string;
  faults: { rule: FaultRule; severity: Severity }[];
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
  }
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
        const sessionFaults = faults
          .filter(
            (f) =>
              f.chargerId === chargerId &&
              f.connectorId === connectorId &&
              Date.parse(f.from) <= startMs &&
              startMs < Date.parse(f.until),
          )
          .map((f) => ({ rule: f.rule, severity: f.severity ?? FAULT_SEVERITIES[f.rule][0] }));
        const sessionId = `${chargerId}-${connectorId}-${String(slot).padStart(4, '0')}`;
        const report = sessionReport({
          sessionId,
          vehicleId: `BUS-${100 + Math.floor(draw.vehicle * 40)}`,
          startMs,
          endMs,
          draw,
          meters,
          faults: sessionFaults,
        });
        sessions.push({
          chargerId,
          connectorId,
          sessionId,
          start,
          end: new Date(endMs).toISOString(),
          faults: sessionFaults,
          report,
        });
      }
    }
  }
  const history = { options, fleet, sessions };
  checkRecord(history);
  return history;
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
}): SessionReport {
  const { draw, meters } = s;
  const at = (minutes: number) => new Date(s.startMs + minutes * MINUTE).toISOString();
  const end = new Date(s.endMs).toISOString();
  // 80–160 kWh in 90–120 min: at most ~107 kW on average, well under the 300 kW peak.
  const delivered = 80_000 + Math.floor(draw.energy * 80_000);
  const grid = Math.round(delivered / (0.94 + draw.efficiency * 0.03));
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
        report.energyPrimaryEnd =
          report.energyPrimaryStart + Math.round(delivered / (0.84 + draw.magnitude * 0.03));
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
  return report;
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
