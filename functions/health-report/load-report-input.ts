import { mapWithConcurrency } from '../core/concurrency.ts';
import type { HealthReportInput, ReportPeriod, ReportSources } from './model/report-input.ts';
import { daysOf, lastCompleteWeek, previousPeriod } from './model/report-period.ts';

/** Days whose KPI rows are read at once: one object each, a few in flight hides latency. */
const DAYS_AT_ONCE = 4;

/** What a report is about and when it is made. */
export interface ReportRequest {
  /** The days reported on. Default: the last 7 complete UTC days before `now`. */
  period?: ReportPeriod;
  /** What the report calls the depot. */
  depot: string;
  /** When the report is made, ms since the epoch. */
  now: number;
}

/**
 * Reads everything a health report shows, once: the KPI rows of the period and of the one
 * before it (same length), the notices of both, and the incidents open or pending now.
 */
export async function loadReportInput(
  sources: ReportSources,
  request: ReportRequest,
): Promise<HealthReportInput> {
  const period = request.period ?? lastCompleteWeek(request.now);
  const previous = previousPeriod(period);
  const days = daysOf({ from: previous.from, to: period.to });
  const [kpiDays, notices, incidents, depots] = await Promise.all([
    mapWithConcurrency(days, DAYS_AT_ONCE, (day) => sources.dailyKpis(day)),
    sources.notices({ from: previous.from, to: period.to }),
    sources.currentIncidents(),
    sources.depots?.() ?? [],
  ]);
  return {
    depot: request.depot,
    generatedAt: new Date(request.now).toISOString(),
    period,
    previous,
    // Only a report of several depots names them: one fleet's reads as it always did.
    ...(depots.length > 0 ? { depots } : {}),
    kpis: kpiDays.flat(),
    // Run files are named by run id, not time: the notices are put in the order they were sent.
    notices: notices.sort((a, b) => a.at.localeCompare(b.at)),
    incidents: incidents.filter((i) => i.status !== 'resolved'),
    archiveLocation: sources.archiveLocation,
  };
}
