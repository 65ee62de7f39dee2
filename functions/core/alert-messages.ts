import { findingAsText } from './alert-text.ts';
import type { Finding, Severity } from './finding.ts';

/** One alert message: the findings of one charger and severity, rendered per channel. */
export interface AlertMessage {
  /** Email subject: at most 100 printable ASCII characters, no line breaks (SNS's rule). */
  subject: string;
  /** Plain text for email subscribers. */
  email: string;
  /** An AWS Chatbot custom notification (JSON) for Slack/Teams over HTTPS. */
  chat: string;
  /** Machine-readable JSON for every other subscriber (SQS, Lambda). */
  default: string;
  attributes: { severity: Severity; chargerId: string; rules: string[] };
  /** Every finding this message accounts for, listed or counted. */
  fingerprints: string[];
}

/** Limits that keep a message readable and under SNS's 256 KiB. */
export interface MessageLimits {
  /** Findings described one by one; the rest are counted. Default: 10. */
  listed: number;
  /** Where a reader finds the full reports, said in every message. */
  archiveLocation: string;
}

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];
const ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };
const SUBJECT_LIMIT = 100;

/**
 * Groups findings into messages, one per charger and severity, most severe first. A group
 * with more findings than `limits.listed` lists that many and counts the rest, so a run sends
 * a bounded number of bounded messages however many faults it finds.
 */
export function alertMessages(findings: readonly Finding[], limits: MessageLimits): AlertMessage[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.severity}\u001f${finding.chargerId}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a[0]?.severity ?? 'info') -
        SEVERITY_ORDER.indexOf(b[0]?.severity ?? 'info'),
    )
    .map((group) => renderGroup(group, limits));
}

/** Renders one charger-and-severity group; `listed` may be lowered to fit a size limit. */
export function renderGroup(group: readonly Finding[], limits: MessageLimits): AlertMessage {
  const first = group[0] as Finding;
  const { severity, chargerId } = first;
  const listed = group.slice(0, limits.listed);
  const more = group.length - listed.length;
  const rules = [...new Set(group.map((f) => f.rule))];
  const headline =
    group.length === 1
      ? first.title
      : `${group.length} ${severity} findings on ${chargerId} (${rules.join(', ')})`;
  const archive = `${limits.archiveLocation.replace(/\/?$/, '/')}reports/charger=${encodeURIComponent(chargerId)}/`;
  const moreLine =
    more > 0 ? `…and ${more} more ${severity} finding(s) on ${chargerId} not listed here.` : '';

  const email = [
    `depot-watch found ${group.length} ${severity} finding(s) on charger ${chargerId}.`,
    '',
    ...listed.map((f) => `${findingAsText(f, 78)}\n`),
    ...(moreLine ? [moreLine, ''] : []),
    `Raw session reports: ${archive}`,
    'You receive this because you subscribed to depot-watch alerts.',
  ].join('\n');

  const chat = JSON.stringify({
    version: '1.0',
    source: 'custom',
    id: first.fingerprint,
    content: {
      textType: 'client-markdown',
      title: `${ICON[severity]} ${truncate(headline, 200)}`,
      description: truncate(
        [
          ...listed.map((f) => `*${f.title}*\n${f.message}`),
          ...(moreLine ? [`_${moreLine}_`] : []),
        ].join('\n\n'),
        3_500,
      ),
      nextSteps: [`Raw reports: ${archive}`],
      keywords: [severity, chargerId, ...rules],
    },
    metadata: {
      threadId: `depot-watch-${chargerId}`,
      summary: truncate(headline, 200),
      eventType: 'depot-watch.finding',
      additionalContext: { chargerId, severity, findings: String(group.length) },
    },
  });

  const defaultBody = JSON.stringify({
    source: 'depot-watch',
    chargerId,
    severity,
    findingCount: group.length,
    findings: listed,
    notListed: group.slice(listed.length).map(({ fingerprint, rule, connectorId, sessionId }) => ({
      fingerprint,
      rule,
      connectorId,
      sessionId,
    })),
    archive,
  });

  return {
    subject: emailSubject(`[${severity.toUpperCase()}] ${headline}`),
    email,
    chat,
    default: defaultBody,
    attributes: { severity, chargerId, rules },
    fingerprints: group.map((f) => f.fingerprint),
  };
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

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
