import { fleetTotals } from '../../core/fleet/daily-kpis.ts';
import type { DepotSummary } from './health-report-model.ts';
import { headlineKpis } from './kpi-sections.ts';
import { daysFromTo, dayWithin } from './report-format.ts';
import type { HealthReportInput } from './report-input.ts';

/**
 * Each named depot's own figures, by name: the report's headline worked out over that depot's
 * rows, incidents and notices alone, so a depot's line and the whole report never count a
 * session differently. Empty for a config of one fleet.
 */
export function depotSummaries(input: HealthReportInput): DepotSummary[] {
  const span = { from: input.previous.from, to: input.period.to };
  const days = daysFromTo(span.from, span.to);
  return depotNames(input).map((depot) => {
    const own: HealthReportInput = {
      ...input,
      kpis: input.kpis.filter((row) => row.depot === depot),
      notices: input.notices.filter((notice) => notice.depot === depot),
      incidents: input.incidents.filter((incident) => incident.depot === depot),
    };
    const rows = own.kpis.filter((row) => dayWithin(row.date, span));
    return {
      depot,
      headline: headlineKpis(own),
      chargers: new Set(rows.map((row) => row.chargerId)).size,
      days: days.map((date) => ({
        date,
        period: dayWithin(date, input.period) ? ('current' as const) : ('previous' as const),
        sessions: fleetTotals(rows.filter((row) => row.date === date)).sessions,
      })),
    };
  });
}

/**
 * The depots the report names: those whose state was read, and any a row, an incident or a
 * notice names (a depot since taken out of the config still has its history).
 */
function depotNames(input: HealthReportInput): string[] {
  const names = new Set(input.depots ?? []);
  for (const record of [...input.kpis, ...input.incidents, ...input.notices])
    if (record.depot !== undefined) names.add(record.depot);
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
