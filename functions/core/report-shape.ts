import { unfilableIdReason } from './archive-layout.ts';
import type { SessionReport } from './session-report.ts';

/**
 * A fast check that a raw item has the shape `sessionReportSchema` describes, without copying
 * it. Most reports are well-formed, so the scan checks them here and asks zod only about the
 * ones that fail, for its precise error message. A property test keeps the two in agreement.
 */
export function isWellFormedReport(raw: unknown): raw is SessionReport {
  if (!isRecord(raw)) return false;
  const id = raw.sessionId;
  if (!(typeof id === 'string' ? unfilableIdReason(id) === undefined : Number.isSafeInteger(id)))
    return false;
  return (
    optional(raw.vehicleId, isString) &&
    optional(raw.sessionTimeStart, isTimestamp) &&
    optional(raw.sessionTimeEnd, isTimestamp) &&
    NUMBER_FIELDS.every((field) => optional(raw[field], isFiniteNumber)) &&
    optionalArray(
      raw.ocppStatus,
      (s) => isString(s.value) && optional(s.eventTimestamp, isTimestamp),
    ) &&
    optionalArray(
      raw.detailStatus,
      (s) => isString(s.key) && isString(s.value) && optional(s.eventTimestamp, isTimestamp),
    ) &&
    optionalArray(
      raw.deviceStatus,
      (d) =>
        isString(d.deviceId) &&
        optional(d.status, isString) &&
        optional(d.eventTimestamp, isTimestamp) &&
        optionalArray(d.errorCodes, (c) => isString(c.errorCode) && isFiniteNumber(c.errorCounter)),
    ) &&
    optionalArray(
      raw.chargeParameters,
      (p) =>
        isString(p.paramType) &&
        PARAMETER_FIELDS.every((field) => optional(p[field], isFiniteNumber)) &&
        optional(p.eventTimestamp, isTimestamp),
    ) &&
    optionalArray(
      raw.sessionMeterValues,
      (m) => isString(m.key) && isFiniteNumber(m.value) && optional(m.eventTimestamp, isTimestamp),
    ) &&
    optionalRecord(
      raw.batteryAlignmentResults,
      (b) =>
        optional(b.inRange, isBoolean) &&
        optional(b.presentVoltage, isFiniteNumber) &&
        optional(b.requestedVoltage, isFiniteNumber) &&
        optional(b.eventTimestamp, isTimestamp),
    ) &&
    optionalRecord(
      raw.dcBreakerOpenConditions,
      (c) =>
        optional(c.current, isFiniteNumber) &&
        optional(c.voltage, isFiniteNumber) &&
        optional(c.eventTimestamp, isTimestamp),
    )
  );
}

const NUMBER_FIELDS = [
  'energySocStart',
  'energySocEnd',
  'energyChargeStart',
  'energyChargeEnd',
  'energyPrimaryStart',
  'energyPrimaryEnd',
  'energyRequestedStart',
  'energyRequestedEnd',
] as const;

const PARAMETER_FIELDS = [
  'maxPower',
  'maxCurrent',
  'maxVoltage',
  'minCurrent',
  'minVoltage',
] as const;

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}

function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

function optionalRecord(value: unknown, check: (record: Fields) => boolean): boolean {
  return value === undefined || (isRecord(value) && check(value));
}

function optionalArray(value: unknown, check: (item: Fields) => boolean): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return false;
  for (const item of value) if (!isRecord(item) || !check(item)) return false;
  return true;
}
