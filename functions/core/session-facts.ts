import type { Finding } from './finding.ts';
import { meterDelta } from './rules/energy.ts';
import { peakPowerW } from './rules/power-derating.ts';
import type { SessionReport } from './session-report.ts';
import { timestampMs } from './timestamps.ts';

/**
 * What the fleet's longer view keeps of one session: the figures drift baselines and daily
 * KPIs are made of. Every figure is optional, because the vendor documents no field as
 * required; a figure a report cannot give is left out rather than guessed.
 */
export interface SessionFacts {
  /** The UTC day the session is filed under (its start), `YYYY-MM-DD`. */
  day: string;
  /** DC energy delivered to the vehicle (Wh). */
  deliveredWh?: number;
  /** DC over grid energy (%), for sessions that drew enough grid energy to judge. */
  efficiencyPercent?: number;
  /** Peak delivered power over what the vehicle asked for (%). */
  peakPowerPercent?: number;
  /** Error and warning counts of the power devices, summed. */
  deviceErrors?: number;
  /** Energy the vehicle asked for and did not get, as a share of the request (%). */
  energyShortfallPercent?: number;
  /** The session reached its target state of charge (or, without SoC figures, delivered energy). */
  reachedTarget: boolean;
  /** Minutes the connector spent in OCPP `Faulted` during the session. */
  faultedMinutes: number;
}

/** Sessions that drew less grid energy than this are too short to judge efficiency by. */
const MIN_GRID_WH = 5_000;

/** Works out a session's facts from its validated report; pure, and cheap enough for every report. */
export function sessionFacts(
  report: SessionReport,
  day: string,
  targetSocPercent: number,
): SessionFacts {
  const facts: SessionFacts = { day, reachedTarget: false, faultedMinutes: faultedMinutes(report) };
  const delivered = meterDelta(report, 'energyCharge');
  const grid = meterDelta(report, 'energyPrimary');
  const requested = meterDelta(report, 'energyRequested');
  if (delivered !== undefined && delivered >= 0) facts.deliveredWh = delivered;
  if (delivered !== undefined && grid !== undefined && grid >= MIN_GRID_WH && delivered >= 0)
    facts.efficiencyPercent = round2((delivered / grid) * 100);
  const asked = (report.chargeParameters ?? []).find(
    (p) => p.paramType.toLowerCase() === 'request' && (p.maxPower ?? 0) > 0,
  )?.maxPower;
  const peak = peakPowerW(report);
  if (asked !== undefined && peak !== undefined)
    facts.peakPowerPercent = round2((peak / asked) * 100);
  let errors: number | undefined;
  for (const device of report.deviceStatus ?? [])
    for (const code of device.errorCodes ?? [])
      errors = (errors ?? 0) + Math.max(0, code.errorCounter);
  if (errors !== undefined) facts.deviceErrors = errors;
  if (delivered !== undefined && requested !== undefined && requested > MIN_GRID_WH)
    facts.energyShortfallPercent = round2(Math.max(0, ((requested - delivered) / requested) * 100));
  facts.reachedTarget =
    report.energySocEnd !== undefined
      ? report.energySocEnd >= targetSocPercent
      : (facts.deliveredWh ?? 0) > 0;
  return facts;
}

/**
 * Whether a session counts as a successful charge: it reached its target and no critical
 * finding was raised. This follows NOW GmbH's Charging Success Rate (sessions that start and
 * finish as intended, over all sessions), with "as intended" meaning the target SoC.
 */
export function chargedSuccessfully(
  facts: SessionFacts,
  findings: readonly Pick<Finding, 'severity'>[],
): boolean {
  return facts.reachedTarget && !findings.some((f) => f.severity === 'critical');
}

/** Minutes between each `Faulted` status and the status after it (or the session's end). */
function faultedMinutes(report: SessionReport): number {
  const all = report.ocppStatus ?? [];
  // Most sessions never fault: only those that did need their statuses' times read.
  if (!all.some(isFaulted)) return 0;
  const statuses = all
    .map((s) => ({ faulted: isFaulted(s), at: timestampMs(s.eventTimestamp ?? '') }))
    .filter((s) => Number.isFinite(s.at))
    .sort((a, b) => a.at - b.at);
  const end = timestampMs(report.sessionTimeEnd ?? '');
  let ms = 0;
  statuses.forEach((status, i) => {
    if (!status.faulted) return;
    const until = statuses[i + 1]?.at ?? (Number.isFinite(end) ? end : status.at);
    ms += Math.max(0, until - status.at);
  });
  return round2(ms / 60_000);
}

function isFaulted(status: { value: string }): boolean {
  return FAULTED.test(status.value);
}

/** `value.toLowerCase() === 'faulted'` without a new string: only ASCII letters lower-case to these. */
const FAULTED = /^faulted$/i;

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
