import { encodeKeySegment, reportsFolder } from '../../core/archive-layout.ts';
import type { ReportPeriod } from './report-input.ts';

/** The Athena table of the daily rollup (see infra's KPI_COLUMNS). */
export const KPI_TABLE = 'depot_watch.daily_connector_kpis';
/** The Athena table of delivered notices (see infra's INCIDENT_COLUMNS). */
export const INCIDENT_TABLE = 'depot_watch.incident_history';
/** The Athena table of raw session reports. */
export const REPORT_TABLE = 'depot_watch.session_reports';

/**
 * The archive folder of a charger's reports, or of one connector's; under the depot's
 * `depot=<name>` partition when the charger is a named depot's.
 */
export function archivePath(
  archiveLocation: string,
  chargerId: string,
  connectorId?: string,
  depot?: string,
) {
  const root = `${reportsRoot(archiveLocation, depot)}charger=${encodeKeySegment(chargerId)}/`;
  return connectorId === undefined ? root : `${root}connector=${encodeKeySegment(connectorId)}/`;
}

/**
 * The archive's report folder as a whole, or a named depot's (vehicles and the depot have no
 * folder of their own).
 */
export function reportsRoot(archiveLocation: string, depot?: string): string {
  return reportsFolder(archiveLocation.replace(/[/\\]+$/, ''), depot);
}

/**
 * The predicate that keeps a query to one named depot's rows (its `depot` partition), or
 * nothing for a config of one fleet: two depots may both have an `HPC-001`.
 */
export function depotPredicate(depot: string | undefined): string {
  return depot === undefined ? '' : ` AND depot = ${sqlString(depot)}`;
}

/** A SQL string literal: quotes doubled, so a vendor id cannot end the literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The `date` partition predicate of a period. */
export function datesWithin(period: ReportPeriod): string {
  return `"date" BETWEEN ${sqlString(period.from)} AND ${sqlString(period.to)}`;
}

/** A query over the KPI rollup for one period: `select` is the figure, e.g. `sum(sessions)`. */
export function kpiQuery(select: string, period: ReportPeriod): string {
  return `SELECT ${select} FROM ${KPI_TABLE} WHERE ${datesWithin(period)}`;
}

/** The incidents whose latest notice is not a resolve: open as far as the history knows. */
export function openIncidentsQuery(): string {
  return (
    `SELECT incident, max_by(rule, notice_at) AS rule, max_by(subject, notice_at) AS subject ` +
    `FROM ${INCIDENT_TABLE} GROUP BY incident HAVING max_by(event, notice_at) <> 'resolve'`
  );
}

/** Open and escalate notices per rule and ISO week over a span. */
export function faultsByWeekQuery(span: ReportPeriod): string {
  return (
    `SELECT date_format(from_iso8601_timestamp(notice_at), '%x-W%v') AS week, rule, count(*) AS notices ` +
    `FROM ${INCIDENT_TABLE} WHERE ${datesWithin(span)} AND event IN ('open', 'escalate') ` +
    `GROUP BY 1, 2 ORDER BY 1, 2`
  );
}

/** A vehicle's raw reports. */
export function vehicleReportsQuery(vehicleId: string): string {
  return `SELECT * FROM ${REPORT_TABLE} WHERE vehicleid = ${sqlString(vehicleId)}`;
}
