import { wrap } from '../alert-text.ts';
import { encodeKeySegment, reportsFolder } from '../archive-layout.ts';
import { plainText } from '../vendor-text.ts';
import type { IncidentEvent, IncidentNotification } from './incident.ts';

/** How each event reads at the head of a message. */
export const EVENT_LABEL: Record<IncidentEvent, string> = {
  open: 'OPEN',
  reminder: 'STILL OPEN',
  escalate: 'ESCALATED',
  attributed: 'ATTRIBUTED',
  resolve: 'RESOLVED',
};

/** What a notice says beyond its title: the message, what it explains, its sessions and id. */
export function noticeDetail(notice: IncidentNotification): string {
  const context = notice.context.length
    ? ` Also in these sessions, explained by this fault: ${notice.context.map((f) => f.title).join('; ')}.`
    : '';
  return `${notice.message}${context} Sessions: ${notice.sessionIds.join(', ') || 'none'}. Incident ${notice.incident}.`;
}

/** A notice as plain text for a terminal or email: headline, wrapped detail, rule and where. */
export function noticeAsText(notice: IncidentNotification, width = 100): string {
  return [
    `[${EVENT_LABEL[notice.event]} · ${notice.severity.toUpperCase()}] ${plainText(notice.title, 300)}`,
    ...wrap(plainText(noticeDetail(notice), 4_000), width - 2).map((line) => `  ${line}`),
    `  rule ${notice.rule} · ${notice.subject} ${plainText(subjectLabel(notice), 200)} · at ${notice.at}`,
  ].join('\n');
}

/** Events a maintenance ticket is opened or updated for; a resolve closes one instead. */
const TICKET_EVENTS: readonly IncidentEvent[] = ['open', 'escalate', 'reminder', 'attributed'];
/** Sessions named in a ticket before the rest are counted. */
const TICKET_SESSIONS = 20;

/**
 * Lines an engineer pastes into a maintenance ticket: what and where on the first line, then
 * rule, severity, incident, sessions, evidence and where the reports are. Plain text, no
 * wrapping (a ticket field wraps itself); every vendor string cleared and capped. Empty for
 * a resolve.
 */
export function ticketText(notice: IncidentNotification, archiveLocation: string): string[] {
  if (!TICKET_EVENTS.includes(notice.event)) return [];
  const where = subjectLabel(notice);
  const title = withoutPrefix(notice.title, notice.subject === 'vehicle' ? notice.vehicleId : '');
  const window = windowDaysOf(notice);
  const occurrence =
    notice.occurrence >= 2
      ? ` — ${ordinal(notice.occurrence)} occurrence${window ? ` in ${window} days` : ''}`
      : '';
  const named = notice.sessionIds.slice(0, TICKET_SESSIONS);
  const unnamed = notice.sessionIds.length - named.length;
  const evidence = Object.entries(notice.evidence)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join('; ');
  return [
    plainText(`[${where}] ${title}${occurrence}`, 300),
    `Rule: ${notice.rule}; severity: ${notice.severity}; ${EVENT_LABEL[notice.event].toLowerCase()} at ${notice.at}`,
    `Incident: ${plainText(notice.incident, 300)}`,
    plainText(
      `Sessions (${notice.failedSessions} failed): ${named.join(', ') || 'none'}${unnamed > 0 ? ` and ${unnamed} more` : ''}`,
      2_000,
    ),
    ...(evidence ? [plainText(`Evidence: ${evidence}`, 1_000)] : []),
    plainText(`Reports: ${reportsOf(notice, archiveLocation)}`, 1_000),
  ];
}

/**
 * `HPC-007/2`, `HPC-007`, `BUS-117` or `depot`: whose fault the ticket is about; in a config of
 * several depots, led by the depot (`north HPC-007/2`), as charger ids may repeat between them.
 */
function subjectLabel(notice: IncidentNotification): string {
  const label = subjectWithinDepot(notice);
  if (notice.depot === undefined) return label;
  return notice.subject === 'depot' ? `depot ${notice.depot}` : `${notice.depot} ${label}`;
}

function subjectWithinDepot(notice: IncidentNotification): string {
  switch (notice.subject) {
    case 'vehicle':
      return notice.vehicleId ?? `vehicle on ${notice.chargerId}`;
    case 'charger':
      return notice.chargerId;
    case 'depot':
      return 'depot';
    default:
      return `${notice.chargerId}/${notice.connectorId}`;
  }
}

/** Where the reports of a notice are: its connector's folder, or for a vehicle the whole archive. */
function reportsOf(notice: IncidentNotification, archiveLocation: string): string {
  const root = reportsFolder(archiveLocation, notice.depot);
  const charger = `${root}charger=${encodeKeySegment(notice.chargerId)}/`;
  switch (notice.subject) {
    case 'vehicle':
      // A vehicle's sessions lie under every charger it used; Athena finds them by vehicle.
      return `${root} (Athena: SELECT * FROM depot_watch.session_reports WHERE vehicleid = '${(notice.vehicleId ?? '').replaceAll("'", "''")}')`;
    case 'charger':
      return charger;
    case 'depot':
      return root;
    default:
      return `${charger}connector=${encodeKeySegment(notice.connectorId)}/`;
  }
}

/** The escalation window: the notice's own field, else what an escalate message says. */
function windowDaysOf(notice: IncidentNotification): number | undefined {
  if (notice.windowDays !== undefined) return notice.windowDays;
  const said = notice.event === 'escalate' ? /within (\d+) days/.exec(notice.message) : null;
  return said ? Number(said[1]) : undefined;
}

/** A title without the subject's id in front (`BUS-117: …`), where a label already names it. */
export function withoutPrefix(title: string, id: string | undefined): string {
  if (!id) return title;
  for (const separator of [': ', ' — ', ' - '])
    if (title.startsWith(`${id}${separator}`)) return title.slice(id.length + separator.length);
  return title;
}

function ordinal(n: number): string {
  const suffix =
    n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
