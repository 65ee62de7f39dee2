import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { depotStatesUnder } from '../adapters/depot-states.ts';
import { documentsUnder } from '../adapters/stored-documents.ts';
import { storedIncidents } from '../adapters/stored-incidents.ts';
import type { Config } from '../config/config.ts';
import type { Incident } from '../core/incidents/incident.ts';
import { plainText } from '../core/vendor-text.ts';
import { whereOf } from './incident-where.ts';

/** One line of the incident list: an incident as the state store and the history know it. */
interface IncidentRow {
  /** The incident's depot, in a config of several; absent for one fleet's, as it always was. */
  depot?: string;
  incident: string;
  status: 'pending' | 'open' | 'resolved';
  severity: string;
  rule: string;
  subject: string;
  chargerId: string;
  connectorId: string;
  vehicleId?: string;
  since: string;
  lastEvent?: string;
  lastEventAt?: string;
  sessions: number;
  title: string;
}

/** Options of `depot-watch incidents`. */
export interface IncidentsCommand {
  config: Config;
  baseDir: string;
  openOnly: boolean;
  /** Only this incident (the id an alert names). Default: every one. */
  incident?: string;
  json: boolean;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/**
 * Lists incidents: those the state store holds (open, and pending ones not yet open) with the
 * ones the archive's incident history has seen resolved. `--open` keeps the open ones. With
 * several depots every depot's incidents are listed, each naming its depot.
 */
export async function runIncidents(command: IncidentsCommand): Promise<number> {
  // Neither a state nor an archive folder: a wrong path or a depot never scanned, not a quiet one.
  const { state, archive } = command.config;
  const missing = (location: string) =>
    !location.startsWith('s3://') && !existsSync(resolve(command.baseDir, location));
  if (missing(state) && missing(archive)) {
    command.writeError(
      `depot-watch: no state at ${resolve(command.baseDir, state)} and no archive at ${resolve(command.baseDir, archive)}; run a scan first (or give --config)\n`,
    );
    return 1;
  }
  const rows = new Map<string, IncidentRow>();
  // Run files are named by run id, not time: the notices are put in the order they were sent.
  const history = (await historyLines(command.config.archive, command.baseDir))
    .map(
      (line) =>
        JSON.parse(line) as Record<string, string> & {
          sessionIds?: string[];
          explains?: { incident: string }[];
        },
    )
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));
  for (const notice of history) {
    // A connector incident joined to a vehicle's or charger's is closed by that notice.
    for (const joined of notice.explains ?? []) {
      const row = rows.get(keyOf(notice.depot, joined.incident));
      if (row) rows.set(keyOf(notice.depot, joined.incident), { ...row, status: 'resolved' });
    }
    const key = keyOf(notice.depot, notice.incident as string);
    const earlier = rows.get(key);
    rows.set(key, {
      ...(typeof notice.depot === 'string' ? { depot: notice.depot } : {}),
      incident: notice.incident as string,
      status: notice.event === 'resolve' ? 'resolved' : 'open',
      severity: notice.severity as string,
      rule: notice.rule as string,
      subject: notice.subject as string,
      chargerId: notice.chargerId as string,
      connectorId: notice.connectorId as string,
      ...(notice.vehicleId ? { vehicleId: notice.vehicleId } : {}),
      since: earlier?.since ?? (notice.at as string),
      lastEvent: notice.event as string,
      lastEventAt: notice.at as string,
      sessions: Math.max(earlier?.sessions ?? 0, notice.sessionIds?.length ?? 0),
      title: notice.title as string,
    });
  }
  // Every depot's state: the config's own folder, and each `depot=<name>` folder in it.
  for (const { depot, location } of await depotStatesUnder(state, command.baseDir))
    for (const incident of await storedIncidents(location, '/')) {
      const key = keyOf(depot, incident.id);
      const known = rows.get(key);
      rows.set(key, {
        ...(depot === undefined ? {} : { depot }),
        ...rowOf(incident),
        ...(known?.lastEvent ? { lastEvent: known.lastEvent, lastEventAt: known.lastEventAt } : {}),
      });
    }
  const listed = [...rows.values()]
    .filter((r) => (command.openOnly ? r.status === 'open' : true))
    .filter((r) => command.incident === undefined || r.incident === command.incident)
    .sort(
      (a, b) =>
        a.status.localeCompare(b.status) ||
        b.since.localeCompare(a.since) ||
        (a.depot ?? '').localeCompare(b.depot ?? ''),
    );
  if (command.json) {
    for (const row of listed) command.write(`${JSON.stringify(row)}\n`);
    return 0;
  }
  const open = listed.filter((r) => r.status === 'open').length;
  const depots = new Set(listed.flatMap((r) => (r.depot === undefined ? [] : [r.depot])));
  command.write(`${listed.length} incident(s), ${open} open${depotsLine(depots)}\n`);
  // A depot column only when there are named depots: one fleet's list stays as it was.
  const width = Math.max(0, ...[...depots].map((d) => d.length));
  const depotCell = (row: IncidentRow) =>
    depots.size === 0 ? '' : `${plainText(row.depot ?? '-', 63).padEnd(width)} `;
  for (const row of listed) {
    command.write(
      `${row.status.toUpperCase().padEnd(9)} ${row.severity.padEnd(8)} ${depotCell(row)}${whereOf(row).padEnd(12)} ` +
        `${row.rule.padEnd(26)} since ${row.since.slice(0, 16).replace('T', ' ')}  ${row.incident}\n` +
        `          ${plainText(row.title, 300)}\n`,
    );
  }
  return 0;
}

/**
 * The key of an incident in the list: its id within its depot. Ids are hashes of charger,
 * connector and first session, and two depots may have the same charger ids.
 */
function keyOf(depot: unknown, id: string): string {
  return `${typeof depot === 'string' ? depot : ''}\u001f${id}`;
}

/** How many named depots the list covers, after its count; nothing for one fleet. */
function depotsLine(depots: ReadonlySet<string>): string {
  if (depots.size === 0) return '';
  const names = [...depots].sort().map((d) => plainText(d, 63));
  return ` across ${depots.size} depot(s): ${names.join(', ')}`;
}

function rowOf(incident: Incident): IncidentRow {
  return {
    incident: incident.id,
    status: incident.status,
    severity: incident.severity,
    rule: incident.rule,
    subject: incident.subject,
    chargerId: incident.chargerId,
    connectorId: incident.connectorId,
    ...(incident.vehicleId !== undefined ? { vehicleId: incident.vehicleId } : {}),
    since: incident.openedAt ?? incident.firstFindingAt,
    sessions: incident.sessionIds.length,
    title: incident.latest.title,
  };
}

/** Every line of the archive's incident history. */
async function historyLines(archive: string, baseDir: string): Promise<string[]> {
  const texts = await documentsUnder(archive, 'incidents/', '.jsonl', baseDir);
  return texts.flatMap((text) => text.split('\n').filter(Boolean));
}
