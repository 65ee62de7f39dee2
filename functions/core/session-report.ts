import * as z from 'zod/mini';
import { unfilableIdReason } from './archive-layout.ts';
import { lazily } from './lazy.ts';
import { isWellFormedReport } from './report-shape.ts';
import { isoTimestamp } from './timestamps.ts';
import './zod-messages.ts';

/**
 * The shape of one DepotFinity session report, as far as the rules rely on it.
 *
 * Every field is optional because the vendor documents none as required; unknown fields pass
 * through untouched. Only `sessionId` is demanded, because without it a report cannot be filed
 * or deduplicated. Types are checked strictly: a wrong type means the charger or the API is
 * sending something we do not understand, and that report goes to quarantine rather than into
 * a rule that would misread it.
 *
 * Built on first use: most reports pass `isWellFormedReport` and never reach zod, so a cold
 * start need not pay for building it.
 */
export const sessionReportSchema = lazily(() => {
  const finite = z.number().check(z.refine(Number.isFinite, 'must be a finite number'));
  const timestamp = z.string().check(z.minLength(1));

  const ocppStatus = z.looseObject({ value: z.string(), eventTimestamp: z.optional(timestamp) });
  const detailStatus = z.looseObject({
    key: z.string(),
    value: z.string(),
    eventTimestamp: z.optional(timestamp),
  });
  const errorCode = z.looseObject({ errorCode: z.string(), errorCounter: finite });
  const deviceStatus = z.looseObject({
    deviceId: z.string(),
    status: z.optional(z.string()),
    eventTimestamp: z.optional(timestamp),
    errorCodes: z.optional(z.array(errorCode)),
  });
  const chargeParameters = z.looseObject({
    paramType: z.string(),
    maxPower: z.optional(finite),
    maxCurrent: z.optional(finite),
    maxVoltage: z.optional(finite),
    minCurrent: z.optional(finite),
    minVoltage: z.optional(finite),
    eventTimestamp: z.optional(timestamp),
  });
  const meterValue = z.looseObject({
    key: z.string(),
    value: finite,
    eventTimestamp: z.optional(timestamp),
  });

  return z.looseObject({
    sessionId: z.union([
      z.int(),
      z.string().check(
        z.superRefine((id, ctx) => {
          const reason = unfilableIdReason(id);
          if (reason) ctx.addIssue({ code: 'custom', message: reason, input: id });
        }),
      ),
    ]),
    vehicleId: z.optional(z.string()),
    sessionTimeStart: z.optional(timestamp),
    sessionTimeEnd: z.optional(timestamp),
    energySocStart: z.optional(finite),
    energySocEnd: z.optional(finite),
    energyChargeStart: z.optional(finite),
    energyChargeEnd: z.optional(finite),
    energyPrimaryStart: z.optional(finite),
    energyPrimaryEnd: z.optional(finite),
    energyRequestedStart: z.optional(finite),
    energyRequestedEnd: z.optional(finite),
    ocppStatus: z.optional(z.array(ocppStatus)),
    detailStatus: z.optional(z.array(detailStatus)),
    deviceStatus: z.optional(z.array(deviceStatus)),
    chargeParameters: z.optional(z.array(chargeParameters)),
    sessionMeterValues: z.optional(z.array(meterValue)),
    batteryAlignmentResults: z.optional(
      z.looseObject({
        inRange: z.optional(z.boolean()),
        presentVoltage: z.optional(finite),
        requestedVoltage: z.optional(finite),
        eventTimestamp: z.optional(timestamp),
      }),
    ),
    dcBreakerOpenConditions: z.optional(
      z.looseObject({
        current: z.optional(finite),
        voltage: z.optional(finite),
        eventTimestamp: z.optional(timestamp),
      }),
    ),
  });
});

/** A session report that passed validation; unknown vendor fields are kept. */
export type SessionReport = z.infer<ReturnType<typeof sessionReportSchema>>;

/** Where a report came from: the charger and connector it was requested for. */
export interface ReportOrigin {
  chargerId: string;
  connectorId: string;
}

/** The outcome of validating one raw item: a report, or the reason it cannot be trusted. */
export type ReportValidation =
  | { ok: true; report: SessionReport; sessionDate: string }
  | { ok: false; reason: string };

/** Validates one raw item from an API page and works out the UTC day it is filed under. */
export function validateSessionReport(raw: unknown): ReportValidation {
  let report: SessionReport;
  if (isWellFormedReport(raw)) {
    report = raw;
  } else {
    const parsed = sessionReportSchema().safeParse(raw);
    if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
    report = parsed.data;
  }
  const sessionDate = utcDay(report.sessionTimeStart) ?? utcDay(report.sessionTimeEnd);
  if (!sessionDate) {
    return {
      ok: false,
      reason:
        'sessionTimeStart/sessionTimeEnd: neither is a valid date-time, so the report cannot be filed by day',
    };
  }
  return { ok: true, report, sessionDate };
}

/**
 * When a session ended, as a normalised ISO timestamp: its end, or its start where the end is
 * missing or unreadable (a valid report has at least one of them). Incidents order sessions
 * by it, and compare it as text.
 */
export function sessionEndOf(report: SessionReport): string {
  const { sessionTimeEnd: end, sessionTimeStart: start } = report;
  return (
    (end === undefined ? undefined : isoTimestamp(end)) ??
    (start === undefined ? undefined : isoTimestamp(start)) ??
    new Date(0).toISOString()
  );
}

/** `YYYY-MM-DD` of an ISO timestamp in UTC, or undefined when it is not a date-time. */
export function utcDay(timestamp: string | undefined): string | undefined {
  const iso = timestamp === undefined ? undefined : isoTimestamp(timestamp);
  // Years outside 2000–9999 are not sessions of this fleet, and would not fit the layout
  // (`toISOString` writes those beyond 9999, and before year 0, in six digits and a sign).
  if (iso === undefined || iso.length !== 24 || iso < '2000') return undefined;
  return iso.slice(0, 10);
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(report)'}: ${issue.message}`)
    .join('; ');
}
