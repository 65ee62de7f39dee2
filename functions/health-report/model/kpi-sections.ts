import {
  type DailyConnectorKpi,
  type FleetKpiTotals,
  fleetTotals,
} from '../../core/fleet/daily-kpis.ts';
import type { ChargerDay, ChargerTrend, HeadlineKpi } from './health-report-model.ts';
import {
  archivePath,
  depotPredicate,
  INCIDENT_TABLE,
  kpiQuery,
  openIncidentsQuery,
  sqlString,
} from './report-evidence.ts';
import {
  daysFromTo,
  dayWithin,
  formatChange,
  formatCount,
  formatKwh,
  formatPercent,
  round,
  utcDayOf,
} from './report-format.ts';
import type { DepotKpiRow, HealthReportInput } from './report-input.ts';

/** The five headline figures of the period against the previous one. */
export function headlineKpis(input: HealthReportInput): HeadlineKpi[] {
  const now = fleetTotals(input.kpis.filter((row) => dayWithin(row.date, input.period)));
  const before = fleetTotals(input.kpis.filter((row) => dayWithin(row.date, input.previous)));
  const { period } = input;
  const openNow = input.incidents.filter((incident) => incident.status === 'open').length;
  // Shown from the exact share, as Athena's query gives it: rounding to two places first and
  // then to one would show 90.0 % for a share of 90.0510 %.
  const shareFigure = (part: 'successfulSessions' | 'faultFreeSessions') => {
    const value = share(now[part], now);
    const previousValue = share(before[part], before);
    return {
      ...figure(value, previousValue, formatPercent, 'pp'),
      value: value === null ? null : round(value, 2),
      previousValue: previousValue === null ? null : round(previousValue, 2),
    };
  };
  return [
    {
      ...figure(now.sessions, before.sessions, formatCount, 'count'),
      key: 'sessions',
      label: 'Charging sessions',
      note: 'Sessions started in the period, every connector.',
      evidence: { athena: kpiQuery('sum(sessions) AS sessions', period) },
    },
    {
      ...figure(now.energyDeliveredKwh, before.energyDeliveredKwh, formatKwh, 'kWh'),
      key: 'energy',
      label: 'Energy delivered',
      note: 'Energy the chargers delivered to vehicles.',
      evidence: { athena: kpiQuery('sum(energy_delivered_wh) / 1000.0 AS kwh', period) },
    },
    {
      ...shareFigure('successfulSessions'),
      key: 'success',
      label: 'Charging success rate',
      note: 'Sessions that reached their target charge with no critical finding.',
      evidence: {
        athena: kpiQuery('100.0 * sum(successful_sessions) / sum(sessions) AS percent', period),
      },
    },
    {
      ...shareFigure('faultFreeSessions'),
      key: 'fault-free',
      label: 'Fault-free rate',
      note: 'Sessions with no finding at all.',
      evidence: {
        athena: kpiQuery('100.0 * sum(fault_free_sessions) / sum(sessions) AS percent', period),
      },
    },
    {
      ...figure(openNow, openAtPeriodStart(input), formatCount, 'count'),
      key: 'open-incidents',
      label: 'Open incidents',
      note:
        'Open when the report was made; the previous figure is those open when the period ' +
        'began, as the incident history tells.',
      evidence: {
        athena:
          `${openIncidentsQuery()} -- at the period's start: ` +
          `SELECT incident FROM ${INCIDENT_TABLE} WHERE "date" < ${sqlString(period.from)} ` +
          `GROUP BY incident HAVING max_by(event, notice_at) <> 'resolve'`,
      },
    },
  ];
}

/**
 * Each charger's days over both periods, for its small multiples; by depot (in a report of
 * several, whose depots may share charger ids), then charger id.
 */
export function chargerTrends(input: HealthReportInput): ChargerTrend[] {
  const span = { from: input.previous.from, to: input.period.to };
  const days = daysFromTo(span.from, span.to);
  const byCharger = new Map<string, { depot?: string; chargerId: string; rows: DepotKpiRow[] }>();
  for (const row of input.kpis) {
    if (!dayWithin(row.date, span)) continue;
    const key = `${row.depot ?? ''}\u001f${row.chargerId}`;
    const entry = byCharger.get(key);
    if (entry) entry.rows.push(row);
    else
      byCharger.set(key, {
        ...(row.depot === undefined ? {} : { depot: row.depot }),
        chargerId: row.chargerId,
        rows: [row],
      });
  }
  return [...byCharger.keys()].sort(codeUnitOrder).map((key) => {
    const { depot, chargerId, rows } = byCharger.get(key) as {
      depot?: string;
      chargerId: string;
      rows: DepotKpiRow[];
    };
    const connectorIds = [...new Set(rows.map((row) => row.connectorId))].sort(codeUnitOrder);
    const inPeriod = fleetTotals(rows.filter((row) => dayWithin(row.date, input.period)));
    return {
      ...(depot === undefined ? {} : { depot }),
      chargerId,
      connectorIds,
      days: days.map((date) => chargerDay(date, input, rows)),
      sessions: inPeriod.sessions,
      failedSessions: inPeriod.sessions - inPeriod.successfulSessions,
      efficiencyPercent: inPeriod.meanEfficiencyPercent,
      evidence: {
        archivePaths: [
          archivePath(input.archiveLocation, chargerId, undefined, depot),
          ...connectorIds.map((id) => archivePath(input.archiveLocation, chargerId, id, depot)),
        ],
        athena:
          `${kpiQuery('"date", sum(sessions) AS sessions, sum(sessions) - sum(successful_sessions) AS failed, sum(efficiency_sum_percent) / nullif(sum(efficiency_sessions), 0) AS efficiency_percent', span)} ` +
          `AND charger_id = ${sqlString(chargerId)}${depotPredicate(depot)} GROUP BY "date" ORDER BY "date"`,
      },
    };
  });
}

function chargerDay(
  date: string,
  input: HealthReportInput,
  rows: readonly DailyConnectorKpi[],
): ChargerDay {
  const day = fleetTotals(rows.filter((row) => row.date === date));
  return {
    date,
    period: dayWithin(date, input.period) ? 'current' : 'previous',
    sessions: day.sessions,
    successfulSessions: day.successfulSessions,
    failedSessions: day.sessions - day.successfulSessions,
    efficiencyPercent: day.meanEfficiencyPercent,
    efficiencySessions: day.efficiencySessions,
  };
}

/**
 * Incidents open when the period began: those open now that opened before it, and those
 * resolved since it began that did not open within it.
 */
function openAtPeriodStart(input: HealthReportInput): number {
  // Keyed by depot too: an incident id is a hash of the charger, and depots share charger ids.
  const keyOf = (depot: string | undefined, id: string) => `${depot ?? ''}\u001f${id}`;
  const open = new Set<string>();
  for (const incident of input.incidents) {
    if (incident.status !== 'open' || incident.openedAt === undefined) continue;
    if (utcDayOf(incident.openedAt) < input.period.from)
      open.add(keyOf(incident.depot, incident.id));
  }
  const openedSince = new Set(
    input.notices
      .filter((n) => n.event === 'open' && utcDayOf(n.at) >= input.period.from)
      .map((n) => keyOf(n.depot, n.incident)),
  );
  for (const notice of input.notices) {
    if (notice.event !== 'resolve' || utcDayOf(notice.at) < input.period.from) continue;
    const key = keyOf(notice.depot, notice.incident);
    if (!openedSince.has(key)) open.add(key);
  }
  return open.size;
}

function figure(
  value: number | null,
  previousValue: number | null,
  format: (n: number) => string,
  unit: 'count' | 'kWh' | 'pp',
) {
  const change = value === null || previousValue === null ? null : round(value - previousValue, 2);
  const show = (n: number | null) => (n === null ? '—' : format(n));
  return {
    value,
    previousValue,
    change,
    display: show(value),
    previousDisplay: show(previousValue),
    changeDisplay: formatChange(change, unit),
  };
}

/** A share in percent (0.01) from counts; null without sessions, as 0 % would be a lie. */
function share(part: number, total: FleetKpiTotals): number | null {
  return total.sessions === 0 ? null : (100 * part) / total.sessions;
}

function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
