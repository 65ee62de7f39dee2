import { type DailyConnectorKpi, emptyRow } from '../../functions/core/fleet/daily-kpis.ts';

/**
 * A KPI row of a connector's day: every count, sum and rate zero (no efficiency) but what
 * `fields` gives. The derived figures are not worked out from the sums: a test sets what it reads.
 */
export function kpiRow(
  fields: Pick<DailyConnectorKpi, 'date' | 'chargerId' | 'connectorId'> &
    Partial<DailyConnectorKpi>,
): DailyConnectorKpi {
  const { date, chargerId, connectorId, ...given } = fields;
  return { ...emptyRow(date, chargerId, connectorId), ...given };
}
