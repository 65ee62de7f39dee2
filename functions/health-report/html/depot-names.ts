import { escapeHtml } from './html-escape.ts';

/**
 * A charger as the report names it: its id, after its depot's name in a report of several
 * depots (two depots may both have an `HPC-001`). Plain text; escape it where HTML is written.
 */
export function chargerName(charger: { depot?: string; chargerId: string }): string {
  return charger.depot === undefined ? charger.chargerId : `${charger.depot} ${charger.chargerId}`;
}

/**
 * The Depot column of a report's tables: a header and a cell per line when the report has
 * named depots, nothing at all for a report of one fleet (its tables stay as they were).
 * Depot names came from the state's folder names, so they are escaped like vendor text.
 */
export function depotColumn(named: boolean) {
  return {
    headers: named ? ['Depot'] : [],
    cells: (line: { depot?: string }): string[] =>
      named ? [line.depot === undefined ? '—' : `<strong>${escapeHtml(line.depot)}</strong>`] : [],
  };
}
