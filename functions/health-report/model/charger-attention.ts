import type { ChargerTrend } from './health-report-model.ts';

/**
 * How many chargers a report draws. A depot manager reads a report in a minute: past a dozen
 * small multiples nobody looks, and a 200-charger depot would render 400 charts. The rest are
 * in one table.
 */
export const CHARTED_CHARGERS = 12;

/**
 * The chargers most in need of a look, most first: the largest share of failed sessions in
 * the period, then the lowest efficiency (unknown last), then by id so the order is stable.
 */
export function chargersNeedingAttention(
  chargers: readonly ChargerTrend[],
  max = CHARTED_CHARGERS,
): ChargerTrend[] {
  const failedShare = (c: ChargerTrend) => (c.sessions > 0 ? c.failedSessions / c.sessions : 0);
  return [...chargers]
    .sort(
      (a, b) =>
        failedShare(b) - failedShare(a) ||
        (a.efficiencyPercent ?? Number.POSITIVE_INFINITY) -
          (b.efficiencyPercent ?? Number.POSITIVE_INFINITY) ||
        (a.chargerId < b.chargerId ? -1 : a.chargerId > b.chargerId ? 1 : 0),
    )
    .slice(0, max);
}
