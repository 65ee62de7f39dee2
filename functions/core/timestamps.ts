/**
 * The vendor's timestamps, read. A report carries a dozen, nearly all in the form
 * `toISOString` writes (`2026-11-23T16:02:16.111Z`); those are read here by hand, many times
 * cheaper than `Date.parse`, and any other form goes to `Date.parse`: the results are its own.
 */

/** Epoch milliseconds of a timestamp, as `Date.parse` reads it (NaN when it is not one). */
export function timestampMs(text: string): number {
  return canonicalMs(text) ?? Date.parse(text);
}

/** A timestamp as `toISOString` writes it, or undefined when it is not a date-time. */
export function isoTimestamp(text: string): string | undefined {
  if (canonicalMs(text) !== undefined) return text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * Epoch milliseconds of a timestamp already in `toISOString`'s form, with every field in
 * range (so that `Date.parse` would roll nothing over); undefined for anything else.
 */
function canonicalMs(t: string): number | undefined {
  if (
    t.length !== 24 ||
    t.charCodeAt(4) !== DASH ||
    t.charCodeAt(7) !== DASH ||
    t.charCodeAt(10) !== T ||
    t.charCodeAt(13) !== COLON ||
    t.charCodeAt(16) !== COLON ||
    t.charCodeAt(19) !== DOT ||
    t.charCodeAt(23) !== Z
  )
    return undefined;
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  const ms = digits(t, 20, 3);
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    ms < 0
  )
    return undefined;
  return (
    ((daysSinceEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms
  );
}

const DASH = 0x2d;
const T = 0x54;
const COLON = 0x3a;
const DOT = 0x2e;
const Z = 0x5a;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written in `count` digits from `at`, or -1 when one of them is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS[month - 1] as number);
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
