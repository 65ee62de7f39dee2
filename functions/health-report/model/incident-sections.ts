import type { IncidentSubject } from '../../core/incidents/incident.ts';
import { SEVERITIES } from '../../core/incidents/incident.ts';
import type {
  Evidence,
  IncidentLine,
  RecurringFault,
  VehicleWatch,
  WeeklyRuleFaults,
} from './health-report-model.ts';
import {
  archivePath,
  faultsByWeekQuery,
  reportsRoot,
  vehicleReportsQuery,
} from './report-evidence.ts';
import { daysFromTo, dayWithin, isoWeekOf, utcDayOf } from './report-format.ts';
import type { DepotIncident, HealthReportInput, HistoryNotice } from './report-input.ts';

/** How many recurring faults the report names. */
export const TOP_RECURRING = 10;

type Where = Pick<HistoryNotice, 'subject' | 'chargerId' | 'connectorId' | 'vehicleId' | 'depot'>;

/**
 * What an incident is about, as a person names it: `HPC-001/2`, `HPC-001`, `BUS-117`, `depot`
 * (or the depot's name, in a report of several).
 */
export function subjectLabel({ subject, chargerId, connectorId, vehicleId, depot }: Where): string {
  if (subject === 'vehicle') return vehicleId ?? 'unknown vehicle';
  if (subject === 'charger') return chargerId;
  if (subject === 'depot') return depot ?? 'depot';
  return `${chargerId}/${connectorId}`;
}

/** The ISO weeks of both periods, in order. */
export function weeksOf(input: HealthReportInput): string[] {
  return [...new Set(daysFromTo(input.previous.from, input.period.to).map(isoWeekOf))];
}

/** Open and escalate notices per rule and ISO week over both periods. */
export function faultsByWeek(input: HealthReportInput): {
  rows: WeeklyRuleFaults[];
  evidence: Evidence;
} {
  const span = { from: input.previous.from, to: input.period.to };
  const counts = new Map<string, WeeklyRuleFaults>();
  for (const notice of input.notices) {
    if (notice.event !== 'open' && notice.event !== 'escalate') continue;
    const day = utcDayOf(notice.at);
    if (!dayWithin(day, span)) continue;
    const week = isoWeekOf(day);
    const key = `${week}\u001f${notice.rule}`;
    const row = counts.get(key) ?? { week, rule: notice.rule, notices: 0 };
    row.notices++;
    counts.set(key, row);
  }
  const rows = [...counts.values()].sort((a, b) => order(a.week, b.week) || order(a.rule, b.rule));
  return { rows, evidence: { athena: faultsByWeekQuery(span) } };
}

/** Incidents opened per rule and subject in the period, most first, at most ten. */
export function topRecurring(input: HealthReportInput): RecurringFault[] {
  const faults = new Map<string, RecurringFault>();
  for (const notice of inPeriod(input, 'open')) {
    const label = subjectLabel(notice);
    const key = `${notice.depot ?? ''}\u001f${notice.rule}\u001f${notice.subject}\u001f${label}`;
    const fault = faults.get(key) ?? {
      ...depotOf(notice),
      rule: notice.rule,
      subject: notice.subject,
      subjectLabel: label,
      opened: 0,
      evidence: { archivePaths: pathsOf(input, notice), sessionIds: [] },
    };
    fault.opened++;
    fault.evidence.sessionIds = union(fault.evidence.sessionIds ?? [], notice.sessionIds);
    faults.set(key, fault);
  }
  return [...faults.values()]
    .sort(
      (a, b) =>
        b.opened - a.opened ||
        order(a.rule, b.rule) ||
        order(a.depot ?? '', b.depot ?? '') ||
        order(a.subjectLabel, b.subjectLabel),
    )
    .slice(0, TOP_RECURRING);
}

/** Incidents open now, most severe first, then the oldest. */
export function openIncidents(input: HealthReportInput): IncidentLine[] {
  return input.incidents
    .filter((incident) => incident.status === 'open')
    .map((incident) => lineOfIncident(input, incident))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
        order(a.openedAt ?? '', b.openedAt ?? '') ||
        order(a.incident, b.incident),
    );
}

/** Incidents whose resolve notice went out within the period, in time order. */
export function resolvedInPeriod(input: HealthReportInput): IncidentLine[] {
  return inPeriod(input, 'resolve')
    .sort((a, b) => order(a.at, b.at))
    .map((resolve) => {
      const earlier = input.notices.filter(
        (n) =>
          n.incident === resolve.incident && n.depot === resolve.depot && n.event !== 'resolve',
      );
      const opened = earlier.filter((n) => n.event === 'open').map((n) => n.at);
      // The failed sessions are the evidence of the fault; the resolve notice names clean ones.
      const failed = earlier.reduce<string[]>((ids, n) => union(ids, n.sessionIds), []);
      return {
        ...lineOfNotice(input, resolve, failed.length ? failed : resolve.sessionIds),
        status: 'resolved',
        openedAt: opened.sort(order)[0],
        resolvedAt: resolve.at,
      };
    });
}

/** Vehicles with a vehicle incident open now or opened in the period, by vehicle and rule. */
export function vehicleWatch(input: HealthReportInput): VehicleWatch[] {
  const watch = new Map<string, VehicleWatch>();
  const add = (
    depot: string | undefined,
    vehicleId: string,
    rule: string,
    incident: string,
    at: string | undefined,
  ) => {
    const key = `${depot ?? ''}\u001f${vehicleId}\u001f${rule}`;
    const entry = watch.get(key) ?? {
      ...depotOf({ depot }),
      vehicleId,
      rule,
      open: false,
      incidents: [],
      evidence: {
        athena: vehicleReportsQuery(vehicleId),
        archivePaths: [reportsRoot(input.archiveLocation, depot)],
        sessionIds: [],
      },
    };
    if (!entry.incidents.includes(incident)) entry.incidents.push(incident);
    if (at !== undefined && (entry.since === undefined || at < entry.since)) entry.since = at;
    watch.set(key, entry);
    return entry;
  };
  for (const incident of input.incidents) {
    if (incident.subject !== 'vehicle' || incident.status !== 'open') continue;
    const entry = add(
      incident.depot,
      incident.vehicleId ?? 'unknown vehicle',
      incident.rule,
      incident.id,
      incident.openedAt,
    );
    entry.open = true;
    entry.evidence.sessionIds = union(entry.evidence.sessionIds ?? [], incident.sessionIds);
  }
  for (const notice of inPeriod(input, 'open')) {
    if (notice.subject !== 'vehicle') continue;
    const entry = add(
      notice.depot,
      notice.vehicleId ?? 'unknown vehicle',
      notice.rule,
      notice.incident,
      notice.at,
    );
    entry.evidence.sessionIds = union(entry.evidence.sessionIds ?? [], notice.sessionIds);
  }
  return [...watch.values()].sort(
    (a, b) =>
      Number(b.open) - Number(a.open) ||
      order(a.vehicleId, b.vehicleId) ||
      order(a.depot ?? '', b.depot ?? '') ||
      order(a.rule, b.rule),
  );
}

/** Drift incidents (rules ending in `-drift`) open now or opened in the period. */
export function driftIncidents(input: HealthReportInput): IncidentLine[] {
  const lines = new Map<string, IncidentLine>();
  for (const incident of input.incidents) {
    if (incident.rule.endsWith('-drift') && incident.status === 'open') {
      lines.set(`${incident.depot ?? ''}\u001f${incident.id}`, lineOfIncident(input, incident));
    }
  }
  for (const notice of inPeriod(input, 'open')) {
    const key = `${notice.depot ?? ''}\u001f${notice.incident}`;
    if (!notice.rule.endsWith('-drift') || lines.has(key)) continue;
    lines.set(key, {
      ...lineOfNotice(input, notice, notice.sessionIds),
      status: 'resolved',
      openedAt: notice.at,
    });
  }
  return [...lines.values()].sort(
    (a, b) => order(a.openedAt ?? '', b.openedAt ?? '') || order(a.incident, b.incident),
  );
}

function lineOfIncident(input: HealthReportInput, incident: DepotIncident): IncidentLine {
  return {
    ...depotOf(incident),
    incident: incident.id,
    rule: incident.rule,
    subject: incident.subject,
    subjectLabel: subjectLabel(incident),
    chargerId: incident.chargerId,
    connectorId: incident.connectorId,
    ...(incident.vehicleId === undefined ? {} : { vehicleId: incident.vehicleId }),
    severity: incident.severity,
    status: incident.status === 'open' ? 'open' : 'resolved',
    ...(incident.openedAt === undefined ? {} : { openedAt: incident.openedAt }),
    title: incident.latest.title,
    evidence: evidenceOf(input, incident, incident.sessionIds),
  };
}

function lineOfNotice(
  input: HealthReportInput,
  notice: HistoryNotice,
  sessionIds: readonly string[],
): Omit<IncidentLine, 'status'> {
  return {
    ...depotOf(notice),
    incident: notice.incident,
    rule: notice.rule,
    subject: notice.subject,
    subjectLabel: subjectLabel(notice),
    chargerId: notice.chargerId,
    connectorId: notice.connectorId,
    ...(notice.vehicleId === undefined ? {} : { vehicleId: notice.vehicleId }),
    severity: notice.severity,
    title: notice.title,
    evidence: evidenceOf(input, notice, sessionIds),
  };
}

function evidenceOf(input: HealthReportInput, where: Where, sessionIds: readonly string[]) {
  const evidence: Evidence = { archivePaths: pathsOf(input, where), sessionIds: [...sessionIds] };
  if (where.subject === 'vehicle' && where.vehicleId !== undefined) {
    evidence.athena = vehicleReportsQuery(where.vehicleId);
  }
  return evidence;
}

/** The archive folder that holds a subject's reports; vehicles and the depot span all of them. */
function pathsOf(input: HealthReportInput, where: Where): string[] {
  const subject: IncidentSubject = where.subject;
  if (subject === 'connector') {
    return [archivePath(input.archiveLocation, where.chargerId, where.connectorId, where.depot)];
  }
  if (subject === 'charger')
    return [archivePath(input.archiveLocation, where.chargerId, undefined, where.depot)];
  return [reportsRoot(input.archiveLocation, where.depot)];
}

/** The depot field of a record of a named depot; nothing for one fleet's, as before. */
function depotOf(record: { depot?: string | undefined }): { depot?: string } {
  return record.depot === undefined ? {} : { depot: record.depot };
}

function inPeriod(input: HealthReportInput, event: HistoryNotice['event']): HistoryNotice[] {
  return input.notices.filter((n) => n.event === event && dayWithin(utcDayOf(n.at), input.period));
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
