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
  if (!optionalString(raw.vehicleId)) return false;
  if (!optionalTimestamp(raw.sessionTimeStart) || !optionalTimestamp(raw.sessionTimeEnd))
    return false;
  for (const field of NUMBER_FIELDS) if (!optionalFiniteNumber(raw[field])) return false;
  return (
    optionalArray(raw.ocppStatus, isOcppStatus) &&
    optionalArray(raw.detailStatus, isDetailStatus) &&
    optionalArray(raw.deviceStatus, isDeviceStatus) &&
    optionalArray(raw.chargeParameters, isChargeParameters) &&
    optionalArray(raw.sessionMeterValues, isMeterValue) &&
    optionalRecord(raw.batteryAlignmentResults, isAlignmentResults) &&
    optionalRecord(raw.dcBreakerOpenConditions, isBreakerConditions)
  );
}

// One checker per nested shape, built once: the check runs for every report the scan reads.

function isOcppStatus(s: Fields): boolean {
  return isString(s.value) && optionalTimestamp(s.eventTimestamp);
}

function isDetailStatus(s: Fields): boolean {
  return isString(s.key) && isString(s.value) && optionalTimestamp(s.eventTimestamp);
}

function isDeviceStatus(d: Fields): boolean {
  return (
    isString(d.deviceId) &&
    optionalString(d.status) &&
    optionalTimestamp(d.eventTimestamp) &&
    optionalArray(d.errorCodes, isErrorCode)
  );
}

function isErrorCode(c: Fields): boolean {
  return isString(c.errorCode) && isFiniteNumber(c.errorCounter);
}

function isChargeParameters(p: Fields): boolean {
  if (!isString(p.paramType) || !optionalTimestamp(p.eventTimestamp)) return false;
  for (const field of PARAMETER_FIELDS) if (!optionalFiniteNumber(p[field])) return false;
  return true;
}

function isMeterValue(m: Fields): boolean {
  return isString(m.key) && isFiniteNumber(m.value) && optionalTimestamp(m.eventTimestamp);
}

function isAlignmentResults(b: Fields): boolean {
  return (
    (b.inRange === undefined || typeof b.inRange === 'boolean') &&
    optionalFiniteNumber(b.presentVoltage) &&
    optionalFiniteNumber(b.requestedVoltage) &&
    optionalTimestamp(b.eventTimestamp)
  );
}

function isBreakerConditions(c: Fields): boolean {
  return (
    optionalFiniteNumber(c.current) &&
    optionalFiniteNumber(c.voltage) &&
    optionalTimestamp(c.eventTimestamp)
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

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function optionalTimestamp(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.length > 0);
}

function optionalFiniteNumber(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
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
