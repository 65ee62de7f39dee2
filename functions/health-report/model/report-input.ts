import type { DailyConnectorKpi } from '../../core/fleet/daily-kpis.ts';
import type { Incident, IncidentNotification } from '../../core/incidents/incident.ts';

/** A span of whole UTC days, both ends included, `YYYY-MM-DD`. */
export interface ReportPeriod {
  from: string;
  to: string;
}

/** One line of the archive's incident history: a notice as it was delivered. */
export type HistoryNotice = Pick<
  IncidentNotification,
  | 'event'
  | 'incident'
  | 'rule'
  | 'subject'
  | 'chargerId'
  | 'connectorId'
  | 'vehicleId'
  | 'severity'
  | 'at'
  | 'sessionIds'
  | 'title'
  | 'occurrence'
  | 'depot'
> & { runId?: string };

/** A KPI row with the depot whose state it was read from; none for a config of one fleet. */
export type DepotKpiRow = DailyConnectorKpi & { depot?: string };

/** An incident with the depot whose state holds it; none for a config of one fleet. */
export type DepotIncident = Incident & { depot?: string };

/** Everything the weekly health report is made of; read once, then rendered without I/O. */
export interface HealthReportInput {
  /** What the report calls the depot. */
  depot: string;
  /** When the report was made, ISO. */
  generatedAt: string;
  /** The period reported on, and the one before it (same length) to compare with. */
  period: ReportPeriod;
  previous: ReportPeriod;
  /**
   * The named depots whose state was read, by name; empty or absent for a config of one
   * fleet, whose report names no depot.
   */
  depots?: string[];
  /** The daily KPI rows of both periods. */
  kpis: DepotKpiRow[];
  /** Notices delivered from the start of the previous period to the end of this one. */
  notices: HistoryNotice[];
  /** Incidents the state holds now: open and pending, the connectors' and the fleet's. */
  incidents: DepotIncident[];
  /** Where the raw reports are (folder or `s3://`), for evidence links. */
  archiveLocation: string;
}

/** Where a report's input comes from: the state store and the archive, local or S3. */
export interface ReportSources {
  /** One UTC day's KPI rows; empty when there are none. */
  dailyKpis(day: string): Promise<DepotKpiRow[]>;
  /** Notices of the incident history whose UTC day is within [from, to]. */
  notices(period: ReportPeriod): Promise<HistoryNotice[]>;
  /** Incidents held in the state now (connector records and the fleet's record). */
  currentIncidents(): Promise<DepotIncident[]>;
  /** The named depots whose state there is. Default: none (one fleet). */
  depots?(): Promise<string[]>;
  /** Where the raw reports are, for people. */
  readonly archiveLocation: string;
}
