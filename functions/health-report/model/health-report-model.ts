import type { Severity } from '../../core/finding.ts';
import type { IncidentSubject } from '../../core/incidents/incident.ts';
import type { ReportPeriod } from './report-input.ts';

/** The headline figures, in the order the report shows them; also the `data-kpi` names. */
export type HeadlineKey = 'sessions' | 'energy' | 'success' | 'fault-free' | 'open-incidents';

/** Where a number comes from, so a reader can check it. */
export interface Evidence {
  /** An Athena query that reproduces the number. */
  athena?: string;
  /** Archive folders holding the raw reports behind it. */
  archivePaths?: string[];
  /** Sessions behind it, all of them (the HTML caps the list). */
  sessionIds?: string[];
}

/** One headline figure for the period, the previous period's, and the change between them. */
export interface HeadlineKpi {
  key: HeadlineKey;
  label: string;
  /** Sessions and incidents: a count; energy: kWh (0.1); rates: percent (0–100, 0.01); null: no sessions. */
  value: number | null;
  previousValue: number | null;
  /** value − previousValue (rates in percentage points); null when either side is null. */
  change: number | null;
  /** As the HTML shows them, the `data-kpi` text: `1,234`, `12,345.7 kWh`, `93.8 %`, `—`. */
  display: string;
  previousDisplay: string;
  /** Signed: `+12`, `−1.5 pp`, `+120.0 kWh`, `±0`. */
  changeDisplay: string;
  /** What the figure counts, for a reader who wonders. */
  note: string;
  evidence: Evidence;
}

/** One day of one charger, its connectors added up. */
export interface ChargerDay {
  date: string;
  /** Which period the day belongs to. */
  period: 'previous' | 'current';
  sessions: number;
  successfulSessions: number;
  /** sessions − successfulSessions. */
  failedSessions: number;
  /** Mean over the sessions that could be judged, weighted by them (0.01); null when none. */
  efficiencyPercent: number | null;
  efficiencySessions: number;
}

/** One charger's days over both periods, for its small multiples. */
export interface ChargerTrend {
  /** The charger's depot, in a report of several; two depots may both have an `HPC-001`. */
  depot?: string;
  chargerId: string;
  connectorIds: string[];
  /** Every day from the previous period's first to this period's last, zeros where none. */
  days: ChargerDay[];
  /** The charger's sessions and failed sessions in this period. */
  sessions: number;
  failedSessions: number;
  /** Mean efficiency over the period (weighted); null when no session could be judged. */
  efficiencyPercent: number | null;
  evidence: Evidence;
}

/** Open and escalate notices of one rule in one ISO week. */
export interface WeeklyRuleFaults {
  /** ISO week, `2026-W19`. */
  week: string;
  rule: string;
  notices: number;
}

/** One incident as the report lists it. */
export interface IncidentLine {
  /** The incident's depot, in a report of several. */
  depot?: string;
  incident: string;
  rule: string;
  subject: IncidentSubject;
  /** `HPC-001/2`, `HPC-001`, `BUS-117`, `depot`. */
  subjectLabel: string;
  chargerId: string;
  connectorId: string;
  vehicleId?: string;
  severity: Severity;
  /** Open now, or closed (resolved in the state, or by a resolve notice). */
  status: 'open' | 'resolved';
  /** When it opened, ISO; undefined when neither the state nor the history says. */
  openedAt?: string;
  /** When it resolved, ISO, for resolved ones. */
  resolvedAt?: string;
  title: string;
  evidence: Evidence;
}

/** One fault that came back: incidents opened for a rule on one subject within the period. */
export interface RecurringFault {
  /** The depot of the subject, in a report of several. */
  depot?: string;
  rule: string;
  subject: IncidentSubject;
  subjectLabel: string;
  /** Incidents opened (open notices) in the period. */
  opened: number;
  evidence: Evidence;
}

/** One vehicle and rule on the watch-list. */
export interface VehicleWatch {
  /** The depot whose chargers saw the fault, in a report of several. */
  depot?: string;
  vehicleId: string;
  rule: string;
  /** Whether an incident of this vehicle and rule is open now. */
  open: boolean;
  /** Earliest opening known, ISO. */
  since?: string;
  incidents: string[];
  evidence: Evidence;
}

/** One depot's figures for the period, in a report of several depots. */
export interface DepotSummary {
  depot: string;
  /** The headline figures of this depot alone, the same keys and displays as the report's. */
  headline: HeadlineKpi[];
  /** Chargers with KPI rows in either period. */
  chargers: number;
  /** Sessions per day over both periods, for the chart that sets the depots side by side. */
  days: { date: string; period: 'previous' | 'current'; sessions: number }[];
}

/** The weekly depot health report, every number computed; the HTML only lays it out. */
export interface HealthReport {
  depot: string;
  /** One summary per named depot, by name; empty for a config of one fleet. */
  depots: DepotSummary[];
  generatedAt: string;
  period: ReportPeriod;
  previous: ReportPeriod;
  archiveLocation: string;
  headline: HeadlineKpi[];
  chargers: ChargerTrend[];
  /** ISO weeks from the previous period's first day to this period's last, in order. */
  weeks: string[];
  /** Only (week, rule) pairs with notices, by week then rule. */
  faultsByWeek: WeeklyRuleFaults[];
  faultsByWeekEvidence: Evidence;
  /** Most opened first, at most 10. */
  topRecurring: RecurringFault[];
  /** Open now, most severe then oldest first. */
  openIncidents: IncidentLine[];
  /** Resolve notices within the period, in time order. */
  resolvedInPeriod: IncidentLine[];
  vehicleWatch: VehicleWatch[];
  /** Drift incidents (`*-drift` rules) open now or opened in the period. */
  drift: IncidentLine[];
}
