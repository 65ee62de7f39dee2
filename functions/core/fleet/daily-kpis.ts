import type { Finding } from '../finding.ts';
import type { ReportOrigin } from '../session-report.ts';
import type { SessionFacts } from './session-facts.ts';

/** One session as the daily rollup counts it. */
export interface KpiSession {
  /** Session id and UTC day, as the incident engine keys it: counting it twice is impossible. */
  key: string;
  origin: ReportOrigin;
  facts: SessionFacts;
  findings: readonly Finding[];
}

/**
 * One connector's day (UTC, by session start): the row of `daily_connector_kpis` in Athena and
 * of `depot-watch kpis`.
 */
export interface DailyConnectorKpi {
  date: string;
  chargerId: string;
  connectorId: string;
  sessions: number;
  /** Sessions that reached the target SoC with no critical finding (see `chargedSuccessfully`). */
  successfulSessions: number;
  /** Sessions with no finding at all. */
  faultFreeSessions: number;
  /** successfulSessions / sessions, 0–1. */
  chargingSuccessRate: number;
  /** faultFreeSessions / sessions, 0–1. */
  faultFreeRate: number;
  energyDeliveredKwh: number;
  /** Mean converter efficiency over the sessions that could be judged; null when none could. */
  meanEfficiencyPercent: number | null;
  efficiencySessions: number;
  faultedMinutes: number;
  findings: number;
  criticalFindings: number;
  /** The sessions counted, so a re-read never counts one twice. */
  sessionKeys: string[];
}
