import { encodeKeySegment, reportsFolder, s3ConsoleUrl } from './archive-layout.ts';
import type { Severity } from './finding.ts';
import type { IncidentEvent, IncidentNotification } from './incidents/incident.ts';
import {
  EVENT_LABEL,
  noticeAsText,
  noticeDetail,
  ticketText,
  withoutPrefix,
} from './incidents/notice-text.ts';
import { capped, plainText, slackCode, slackText } from './vendor-text.ts';

/** One alert message: the notices of one charger (or one vehicle) and severity, rendered per channel. */
export interface AlertMessage {
  /** Email subject: at most 100 printable ASCII characters, no line breaks (SNS's rule). */
  subject: string;
  /** Plain text for email subscribers. */
  email: string;
  /** An AWS Chatbot custom notification (JSON) for Slack/Teams over HTTPS. */
  chat: string;
  /** Machine-readable JSON for every other subscriber (SQS, Lambda, a PagerDuty bridge). */
  default: string;
  attributes: {
    severity: Severity;
    /** The charger; for a vehicle message, the charger of its first notice. */
    chargerId: string;
    rules: string[];
    events: IncidentEvent[];
    /** The vehicles the notices name, sorted; empty when none does. */
    vehicleIds: string[];
    /** The depot, in a config of several. */
    depot?: string;
  };
  /** Every notice this message accounts for, listed or counted. */
  ids: string[];
}

/** Limits that keep a message readable and under SNS's 256 KiB. */
export interface MessageLimits {
  /** Notices described one by one; the rest are counted. Default: 10. */
  listed: number;
  /** Where a reader finds the full reports, said in every message. */
  archiveLocation: string;
}

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];
const ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };
const EVENT_ORDER: readonly IncidentEvent[] = [
  'escalate',
  'open',
  'reminder',
  'attributed',
  'resolve',
];
const SUBJECT_LIMIT = 100;

/**
 * Groups notices into messages, one per charger and severity, most severe first; notices about
 * a vehicle go one message per vehicle and severity instead, never beside a charger's, so a
 * subscription filter on the `subject` attribute can send them to the vehicle team. A group
 * with more notices than `limits.listed` lists that many and counts the rest, so a run sends
 * a bounded number of bounded messages however many incidents move.
 */
export function alertMessages(
  notices: readonly IncidentNotification[],
  limits: MessageLimits,
): AlertMessage[] {
  const groups = new Map<string, IncidentNotification[]>();
  for (const notice of notices) {
    const about =
      notice.subject === 'vehicle'
        ? `${notice.severity}\u001fvehicle\u001f${notice.vehicleId ?? notice.chargerId}`
        : `${notice.severity}\u001fcharger\u001f${notice.chargerId}`;
    const key = `${notice.depot ?? ''}\u001f${about}`;
    groups.set(key, [...(groups.get(key) ?? []), notice]);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a[0]?.severity ?? 'info') -
        SEVERITY_ORDER.indexOf(b[0]?.severity ?? 'info'),
    )
    .map((group) => renderGroup(group, limits));
}

/** Renders one charger-or-vehicle-and-severity group; `listed` may be lowered to fit a size limit. */
export function renderGroup(
  group: readonly IncidentNotification[],
  limits: MessageLimits,
): AlertMessage {
  const ordered = [...group].sort(
    (a, b) => EVENT_ORDER.indexOf(a.event) - EVENT_ORDER.indexOf(b.event),
  );
  const first = ordered[0] as IncidentNotification;
  const { severity, chargerId, depot } = first;
  // Two depots may have chargers of the same id: where several are watched, each line says which.
  const at = depot === undefined ? '' : `${depot}: `;
  const inDepot = (key: string) => (depot === undefined ? key : `${depot}/${key}`);
  // A vehicle group names the vehicle where a charger group names the charger.
  const vehicleId = first.subject === 'vehicle' ? first.vehicleId : undefined;
  const about = vehicleId ?? chargerId;
  const listed = ordered.slice(0, limits.listed);
  const more = ordered.length - listed.length;
  const rules = [...new Set(ordered.map((n) => n.rule))];
  const events = EVENT_ORDER.filter((event) => ordered.some((n) => n.event === event));
  const incidents = [...new Set(ordered.map((n) => n.incident))];
  const moved = eventCounts(ordered);
  const headline =
    ordered.length === 1
      ? vehicleId !== undefined
        ? `${vehicleId} ${EVENT_LABEL[first.event]}: ${withoutPrefix(first.title, vehicleId)}`
        : `${EVENT_LABEL[first.event]}: ${first.title}`
      : `${about}: ${moved} (${severity}; ${rules.join(', ')})`;
  // A vehicle's reports lie under every charger it used: the message points at all of them.
  const archive = `${reportsFolder(limits.archiveLocation, depot)}${vehicleId === undefined ? `charger=${encodeKeySegment(chargerId)}/` : ''}`;
  // An s3:// URI opens in no mail client or chat: the console page beside it does.
  const consolePage = s3ConsoleUrl(archive);
  const moreLine =
    more > 0 ? `…and ${more} more ${severity} notice(s) on ${about} not listed here.` : '';

  const email = [
    `depot-watch, ${depot === undefined ? '' : `depot ${depot}, `}${vehicleId === undefined ? 'charger' : 'vehicle'} ${plainText(about, 128)}: ${moved} at ${severity} severity.`,
    '',
    ...listed.map((n) => `${noticeAsText(n, 78)}\n${ticketBlock(n, limits.archiveLocation)}`),
    ...(moreLine ? [moreLine, ''] : []),
    `Raw session reports: ${archive}`,
    ...(consolePage ? [`In the S3 console: ${consolePage}`] : []),
    'You receive this because you subscribed to depot-watch alerts.',
  ].join('\n');

  const chat = JSON.stringify({
    version: '1.0',
    source: 'custom',
    id: first.id,
    content: {
      textType: 'client-markdown',
      title: `${first.event === 'resolve' && events.length === 1 ? '✅' : ICON[severity]} ${slackText(at + headline, 200)}`,
      description: capped(
        [
          // One notice: the title already says what happened, so the description does not
          // say it again; several: each is labelled by its own event and title.
          ...listed.map((n) =>
            ordered.length === 1
              ? slackText(noticeDetail(n), 1_500)
              : `*${EVENT_LABEL[n.event]}: ${slackText(n.title, 300)}*\n${slackText(noticeDetail(n), 1_500)}`,
          ),
          ...(moreLine ? [`_${moreLine}_`] : []),
        ].join('\n\n'),
        3_500,
      ),
      // Code, not text: a charger id such as `_x_` in the path must neither format nor change.
      nextSteps: [
        `Raw reports: ${slackCode(archive, 1_000)}`,
        ...(consolePage
          ? [`<${consolePage.replace(/&/g, '&amp;')}|Open them in the S3 console>`]
          : []),
      ],
      keywords: [severity, ...events, ...rules].map((k) => slackText(k, 60)),
    },
    metadata: {
      // One Slack thread per incident, so its open, reminders and resolve read as one story;
      // a message that moves several incidents at once starts in the charger's thread.
      threadId: `depot-watch-${inDepot(incidents.length === 1 ? first.incident : about)}`,
      summary: slackText(at + headline, 200),
      eventType: `depot-watch.incident.${events.join('+')}`,
      additionalContext: {
        ...(depot !== undefined ? { depot } : {}),
        chargerId,
        ...(vehicleId !== undefined ? { vehicleId } : {}),
        severity,
        notices: String(ordered.length),
      },
    },
  });

  const defaultBody = JSON.stringify({
    source: 'depot-watch',
    ...(depot !== undefined ? { depot } : {}),
    chargerId,
    ...(vehicleId !== undefined ? { vehicleId } : {}),
    severity,
    // A bridge to PagerDuty or Opsgenie triggers on open, reminder and escalate, and resolves on
    // resolve, keyed by the incident id.
    ...(incidents.length === 1 ? { dedupKey: inDepot(first.incident), event: first.event } : {}),
    noticeCount: ordered.length,
    notices: listed.map((n) => ({
      ...n,
      dedupKey: inDepot(n.incident),
      action: actionOf(n.event),
    })),
    // Enough of each notice for the notifier function to trigger or resolve its alert.
    notListed: ordered.slice(listed.length).map((n) => ({
      id: n.id,
      dedupKey: inDepot(n.incident),
      event: n.event,
      action: actionOf(n.event),
      rule: n.rule,
      connectorId: n.connectorId,
      incident: n.incident,
      subject: n.subject,
      ...(n.vehicleId !== undefined ? { vehicleId: n.vehicleId } : {}),
      at: n.at,
      title: capped(n.title, 200),
    })),
    archive,
  });

  return {
    subject: emailSubject(`[${severity.toUpperCase()}] ${at}${headline}`),
    email,
    chat,
    default: defaultBody,
    attributes: {
      severity,
      chargerId,
      rules,
      events,
      vehicleIds: [...new Set(ordered.flatMap((n) => n.vehicleId ?? []))].sort(),
      ...(depot !== undefined ? { depot } : {}),
    },
    ids: ordered.map((n) => n.id),
  };
}

/** The ticket lines of a notice, set off so a reader sees where to copy from; empty for a resolve. */
function ticketBlock(notice: IncidentNotification, archiveLocation: string): string {
  const lines = ticketText(notice, archiveLocation);
  if (lines.length === 0) return '';
  // Unindented between markers: what is copied needs no cleaning up in the ticket.
  return ['--- ticket text ---', ...lines, '--- end of ticket text ---', ''].join('\n');
}

function actionOf(event: IncidentEvent): 'trigger' | 'resolve' {
  return event === 'resolve' ? 'resolve' : 'trigger';
}

/** "2 opened, 1 resolved": what moved, in words. */
function eventCounts(notices: readonly IncidentNotification[]): string {
  const words: Record<IncidentEvent, string> = {
    open: 'opened',
    reminder: 'still open',
    escalate: 'escalated',
    attributed: 'attributed',
    resolve: 'resolved',
  };
  return EVENT_ORDER.flatMap((event) => {
    const count = notices.filter((n) => n.event === event).length;
    return count ? [`${count} incident(s) ${words[event]}`] : [];
  }).join(', ');
}

/** Makes a subject SNS accepts: printable ASCII only, one line, at most 100 characters. */
export function emailSubject(text: string): string {
  const ascii = text
    .replace(/[—–]/g, '-')
    .replace(/×/g, 'x')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/…/g, '...')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= SUBJECT_LIMIT ? ascii : `${ascii.slice(0, SUBJECT_LIMIT - 3)}...`;
}
