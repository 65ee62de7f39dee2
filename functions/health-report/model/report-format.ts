/**
 * How the health report writes its numbers and days. Deterministic by design: the report is
 * built on a Lambda and in CI alike, so nothing here depends on the host's locale or time zone.
 */

const DAY_MS = 86_400_000;

/** A whole number with `,` between thousands: `12345` → `12,345`. */
export function formatCount(n: number): string {
  return groupThousands(Math.round(n).toString());
}

/** kWh with one decimal and `,` between thousands: `12345.67` → `12,345.7 kWh`. */
export function formatKwh(kwh: number): string {
  return `${groupThousands(kwh.toFixed(1))} kWh`;
}

/** A percentage (0–100) with one decimal, `93.75` → `93.8 %`; `—` when there is none. */
export function formatPercent(percent: number | null): string {
  return percent === null ? '—' : `${percent.toFixed(1)} %`;
}

/** A signed change with the unit a reader needs, `+3`, `−1.5 pp`, `+120.0 kWh`; `—` when none. */
export function formatChange(change: number | null, unit: 'count' | 'kWh' | 'pp'): string {
  if (change === null) return '—';
  const magnitude =
    unit === 'count'
      ? formatCount(Math.abs(change))
      : unit === 'kWh'
        ? formatKwh(Math.abs(change))
        : `${Math.abs(change).toFixed(1)} pp`;
  // A change that rounds to zero reads as ±0, never as "-0.0".
  if (/^[0.,]+(\s|$)/.test(magnitude)) return `±${magnitude}`;
  return `${change > 0 ? '+' : '−'}${magnitude}`;
}

/** The first `limit` items of a list and how many were left out, for "and N more". */
export function capList<T>(items: readonly T[], limit: number): { shown: T[]; more: number } {
  return { shown: items.slice(0, limit), more: Math.max(0, items.length - limit) };
}

/** The UTC day (`YYYY-MM-DD`) of an ISO time, whatever offset it was written with. */
export function utcDayOf(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : iso.slice(0, 10);
}

/** Every UTC day from `from` to `to`, both included. */
export function daysFromTo(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= end; ms += DAY_MS) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

/** Whether a day lies within a span of days (strings compare as days do in `YYYY-MM-DD`). */
export function dayWithin(day: string, span: { from: string; to: string }): boolean {
  return day >= span.from && day <= span.to;
}

/** The ISO 8601 week of a UTC day, `2026-W19`: weeks start on Monday, week 1 holds January 4. */
export function isoWeekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  // The Thursday of the same week decides the week's year.
  const thursday = date.getTime() + (3 - mondayIndex(date)) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const firstThursday = jan4.getTime() + (3 - mondayIndex(jan4)) * DAY_MS;
  const week = 1 + Math.round((thursday - firstThursday) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Rounds away float dust: `round(93.74999999, 2)` → `93.75`. */
export function round(n: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(n * factor) / factor;
}

function mondayIndex(date: Date): number {
  return (date.getUTCDay() + 6) % 7;
}

function groupThousands(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${digits}` : `${sign}${digits}.${fraction}`;
}
