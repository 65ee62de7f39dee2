import { type DailyConnectorKpi, fleetTotals } from '../core/fleet/daily-kpis.ts';
import { plainText } from '../core/vendor-text.ts';
import type { DepotKpiRow } from '../health-report/model/report-input.ts';

const COLUMNS = [
  ['date', 10],
  ['charger/connector', 20],
  ['sessions', 8],
  ['success', 8],
  ['fault-free', 10],
  ['energy kWh', 10],
  ['efficiency', 10],
  ['faulted min', 11],
] as const;

/**
 * The readable table: a header, a line per connector and day, and the fleet's total. Rows of
 * named depots get a depot column and a total per depot before the fleet's; one fleet's table
 * is as it always was.
 */
export function formatKpiTable(rows: readonly DepotKpiRow[], period: string, from: string): string {
  const lines = [`Daily KPIs ${period}, from ${from}`];
  if (rows.length === 0) return `${lines[0]}\nNo sessions in this period.\n`;
  const depots = [...new Set(rows.flatMap((r) => (r.depot === undefined ? [] : [r.depot])))].sort();
  const named = depots.length > 0;
  const depotWidth = Math.max(5, ...depots.map((d) => d.length));
  const line = (depot: string | undefined, cells: readonly string[]) => {
    const padded = cells.map((cell, i) => {
      const [, width] = COLUMNS[i] ?? ['', 0];
      return i < 2 ? cell.padEnd(width) : cell.padStart(width);
    });
    const first = named ? [plainText(depot ?? '-', 63).padEnd(depotWidth)] : [];
    return [...first, ...padded].join('  ').trimEnd();
  };
  lines.push(
    line(
      'depot',
      COLUMNS.map(([name]) => name),
    ),
  );
  for (const row of rows)
    lines.push(
      line(row.depot, [
        row.date,
        `${row.chargerId}/${row.connectorId}`,
        String(row.sessions),
        percent(row.chargingSuccessRate),
        percent(row.faultFreeRate),
        row.energyDeliveredKwh.toFixed(1),
        row.meanEfficiencyPercent === null ? '-' : `${row.meanEfficiencyPercent.toFixed(1)}%`,
        row.faultedMinutes.toFixed(1),
      ]),
    );
  // Several depots: each one's total, so a depot manager reads their own line at a glance.
  if (depots.length > 1)
    for (const depot of depots)
      lines.push(
        line(
          depot,
          totalCells(
            'depot',
            rows.filter((r) => r.depot === depot),
          ),
        ),
      );
  lines.push(line(named ? 'all' : undefined, totalCells('fleet', rows)));
  return `${lines.join('\n')}\n`;
}

function totalCells(label: string, rows: readonly DailyConnectorKpi[]): string[] {
  const total = fleetTotals(rows);
  return [
    label,
    `${rows.length} connector-day(s)`,
    String(total.sessions),
    percent(total.chargingSuccessRate),
    percent(total.faultFreeRate),
    total.energyDeliveredKwh.toFixed(1),
    total.meanEfficiencyPercent === null ? '-' : `${total.meanEfficiencyPercent.toFixed(1)}%`,
    total.faultedMinutes.toFixed(1),
  ];
}

function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}
