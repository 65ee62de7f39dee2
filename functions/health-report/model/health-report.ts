import { depotSummaries } from './depot-sections.ts';
import type { HealthReport } from './health-report-model.ts';
import {
  driftIncidents,
  faultsByWeek,
  openIncidents,
  resolvedInPeriod,
  topRecurring,
  vehicleWatch,
  weeksOf,
} from './incident-sections.ts';
import { chargerTrends, headlineKpis } from './kpi-sections.ts';
import type { HealthReportInput } from './report-input.ts';

export type * from './health-report-model.ts';

/**
 * The weekly health report as numbers: pure, no I/O and no clock, so every figure is tested
 * here and the HTML only lays it out.
 */
export function buildHealthReport(input: HealthReportInput): HealthReport {
  const faults = faultsByWeek(input);
  return {
    depot: input.depot,
    depots: depotSummaries(input),
    generatedAt: input.generatedAt,
    period: input.period,
    previous: input.previous,
    archiveLocation: input.archiveLocation,
    headline: headlineKpis(input),
    chargers: chargerTrends(input),
    weeks: weeksOf(input),
    faultsByWeek: faults.rows,
    faultsByWeekEvidence: faults.evidence,
    topRecurring: topRecurring(input),
    openIncidents: openIncidents(input),
    resolvedInPeriod: resolvedInPeriod(input),
    vehicleWatch: vehicleWatch(input),
    drift: driftIncidents(input),
  };
}
