import type { DailyConnectorKpi } from '../../functions/core/fleet/daily-kpis.ts';

/**
 * A KPI row of a connector's day: every count, sum and rate zero (no efficiency) but what
 * `fields` gives. The derived figures are not worked out from the sums: a test sets what it reads.
 */
export function kpiRow(
  fields: Pick<DailyConnectorKpi, 'date' | 'chargerId' | 'connectorId'> &
    Partial<DailyConnectorKpi>,
): DailyConnectorKpi {
  // The ids first, so a row serializes in the order the scan writes it.
  const { date, chargerId, connectorId, ...given } = fields;
  return {
    date,
    chargerId,
    connectorId,
    sessions: 0,
    successfulSessions: 0,
    faultFreeSessions: 0,
    chargingSuccessRate: 0,
    faultFreeRate: 0,
    energyDeliveredKwh: 0,
    energyDeliveredWh: 0,
    meanEfficiencyPercent: null,
    efficiencySessions: 0,
    efficiencySumPercent: 0,
    faultedMinutes: 0,
    findings: 0,
    criticalFindings: 0,
    sessionKeys: [],
    ...given,
  };
}
