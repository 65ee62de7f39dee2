import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { documentsUnder } from '../adapters/stored-documents.ts';
import { storedIncidents } from '../adapters/stored-incidents.ts';
import type { Config } from '../config/config.ts';
import type { Incident } from '../core/incidents/incident.ts';
import { plainText } from '../core/vendor-text.ts';

/** One line of the incident list: an incident as the state store and the history know it. */
interface IncidentRow {
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
  json: boolean;
  write: (text: string) => void;
  writeError: (text: string) => void;
}

/**
 * Lists incidents: those the state store holds (open, and pending ones not yet open) with the
 * ones the archive's incident history has seen resolved. `--open` keeps the open ones.
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
    .map((line) => JSON.parse(line) as Record<string, string> & { sessionIds?: string[] })
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));
  for (const notice of history) {
    const earlier = rows.get(notice.incident as string);
    rows.set(notice.incident as string, {
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
  for (const incident of await storedIncidents(command.config.state, command.baseDir)) {
    const known = rows.get(incident.id);
    rows.set(incident.id, {
      ...rowOf(incident),
      ...(known?.lastEvent ? { lastEvent: known.lastEvent, lastEventAt: known.lastEventAt } : {}),
    });
  }
  const listed = [...rows.values()]
    .filter((r) => (command.openOnly ? r.status === 'open' : true))
    .sort((a, b) => a.status.localeCompare(b.status) || b.since.localeCompare(a.since));
  if (command.json) {
    for (const row of listed) command.write(`${JSON.stringify(row)}\n`);
    return 0;
  }
  const open = listed.filter((r) => r.status === 'open').length;
  command.write(`${listed.length} incident(s), ${open} open\n`);
  for (const row of listed) {
    command.write(
      `${row.status.toUpperCase().padEnd(9)} ${row.severity.padEnd(8)} ${whereOf(row).padEnd(12)} ` +
        `${row.rule.padEnd(26)} since ${row.since.slice(0, 16).replace('T', ' ')}  ${row.incident}\n` +
        `          ${plainText(row.title, 300)}\n`,
    );
  }
  return 0;
}

/** What an incident is about, as the list shows it: a vehicle, a whole charger or a connector. */
function whereOf(row: IncidentRow): string {
  if (row.subject === 'vehicle' && row.vehicleId) return plainText(row.vehicleId, 40);
  if (row.subject === 'charger') return `${row.chargerId}/*`;
  return `${row.chargerId}/${row.connectorId}`;
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
