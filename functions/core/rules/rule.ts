import * as z from 'zod/mini';
import { type Finding, fingerprintOf, type Severity } from '../finding.ts';
import type { RuleConfirm } from '../incidents/confirm.ts';
import { type ReportOrigin, type SessionReport, utcDay } from '../session-report.ts';
import { plainText } from '../vendor-text.ts';

/**
 * An anomaly rule: a pure function of one report and its thresholds.
 * No I/O, no clock, no globals, so the same report always gives the same findings.
 */
export interface Rule<T extends RuleThresholds> {
  /** Stable kebab-case id; it appears in alerts, metrics and config. */
  readonly id: string;
  /** One line on the physical fault the rule catches. */
  readonly summary: string;
  /** The rule's thresholds, every field required; config takes any subset of them. */
  readonly schema: z.ZodMiniObject;
  /** What the rule uses when the config says nothing. */
  readonly defaults: T;
  /**
   * When its findings are told, by severity; the config can override it per rule. Default:
   * `STANDARD_CONFIRM` (critical at once, a warning on its second session within five).
   */
  readonly confirm?: RuleConfirm;
  /** What is wrong with a complete set of thresholds beyond single fields, if anything. */
  readonly inconsistency?: (thresholds: T) => { field: string; message: string } | undefined;
  evaluate(report: SessionReport, thresholds: T, origin: ReportOrigin): Finding[];
}

/** What every rule's thresholds have in common. */
export interface RuleThresholds {
  enabled: boolean;
}

/** A severity setting, for rules whose levels a site may want to raise or lower. */
export const severitySchema = z.enum(['info', 'warning', 'critical']);

/** The `enabled` switch every rule has. */
export const enabledSchema = z.boolean();

/** What a rule decides; `finding()` adds where and when. */
export interface Verdict {
  severity: Severity;
  title: string;
  /** What happened and what to check first; where and when are appended. */
  message: string;
  evidence: Finding['evidence'];
  /** Tells apart several faults of one rule in one session (e.g. the error code). */
  discriminator?: string;
}

/** Longest title and message a finding carries; vendor strings inside them are cut to fit. */
export const TITLE_MAX = 200;
export const MESSAGE_MAX = 1_500;
const EVIDENCE_TEXT_MAX = 200;

/**
 * Builds a finding from a rule's verdict, naming the charger, vehicle and session. Verdicts
 * quote vendor strings (error codes, vehicle ids), so title, message and text evidence are
 * cleared of control characters and capped here, once for every channel.
 */
export function finding(
  rule: string,
  report: SessionReport,
  origin: ReportOrigin,
  verdict: Verdict,
): Finding {
  const sessionId = String(report.sessionId);
  // A vendor may reuse a session id on another day; the day keeps the two sessions apart.
  const day = utcDay(report.sessionTimeStart) ?? utcDay(report.sessionTimeEnd) ?? '';
  const evidence: Finding['evidence'] = {};
  for (const [name, value] of Object.entries(verdict.evidence))
    evidence[name] = typeof value === 'string' ? plainText(value, EVIDENCE_TEXT_MAX) : value;
  const result: Finding = {
    rule,
    severity: verdict.severity,
    chargerId: origin.chargerId,
    connectorId: origin.connectorId,
    sessionId,
    title: plainText(`${verdict.title} — ${origin.chargerId}/${origin.connectorId}`, TITLE_MAX),
    message: plainText(`${verdict.message} ${whereAndWhen(report, origin)}`, MESSAGE_MAX),
    evidence,
    fingerprint: fingerprintOf(
      rule,
      origin.chargerId,
      origin.connectorId,
      `${day}/${sessionId}`,
      verdict.discriminator,
    ),
  };
  if (verdict.discriminator !== undefined) result.discriminator = verdict.discriminator;
  if (report.vehicleId !== undefined) result.vehicleId = plainText(report.vehicleId, 128);
  if (report.sessionTimeStart !== undefined) result.sessionTimeStart = report.sessionTimeStart;
  return result;
}

function whereAndWhen(report: SessionReport, origin: ReportOrigin): string {
  const vehicle = report.vehicleId ? `, vehicle ${plainText(report.vehicleId, 64)}` : '';
  const started = report.sessionTimeStart ? `, started ${report.sessionTimeStart}` : '';
  return `(charger ${origin.chargerId}, connector ${origin.connectorId}${vehicle}, session ${String(report.sessionId)}${started}.)`;
}

/** Rounds for display: whole numbers stay whole, others keep one decimal; never `-0`. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10 + 0;
}
