import { depotStatesUnder } from '../adapters/depot-states.ts';
import { stateFrom } from '../adapters/from-config.ts';
import { decodeKeySegment } from '../core/archive-layout.ts';
import type { DepotKpiRow } from '../health-report/model/report-input.ts';
import type { StateStore } from '../scan/ports.ts';

/**
 * The KPI rows of some days from a state location and every `depot=<name>` folder in it, each
 * row of a named depot naming it. `state` reads the location itself (the one-fleet rows, as
 * before); the depots' folders are read through their own state adapters.
 */
export async function depotKpiRows(
  state: Pick<StateStore, 'loadDailyKpis'>,
  location: string,
  days: readonly string[],
): Promise<DepotKpiRow[]> {
  const rows: DepotKpiRow[] = [];
  for (const { depot, location: at } of await depotStatesUnder(location, '/')) {
    const reader = depot === undefined ? state : stateFrom(at, { baseDir: '/' });
    for (const day of days) {
      const found = await reader.loadDailyKpis(day);
      rows.push(...(depot === undefined ? found : found.map((row) => ({ depot, ...row }))));
    }
  }
  return rows;
}

/**
 * The depot a saved report's path or key files it under (`…/depot=<name>/charger=…`), or
 * undefined for the archive of one fleet.
 */
export function depotOfPath(path: string): string | undefined {
  const segment = /(?:^|[/\\])depot=([^/\\]+)[/\\]charger=/.exec(path)?.[1];
  if (segment === undefined) return undefined;
  try {
    return decodeKeySegment(segment);
  } catch {
    return undefined;
  }
}
