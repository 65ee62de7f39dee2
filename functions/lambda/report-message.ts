import { emailSubject } from '../core/alert-messages.ts';
import { plainText, slackText } from '../core/vendor-text.ts';
import type { HeadlineKpi } from '../health-report/model/health-report.ts';
import type { ReportPeriod } from '../health-report/model/report-input.ts';

/** What the weekly notice says: the headline of a report that is already in the bucket. */
export interface ReportNotice {
  /** What the report calls the depot: config text, cleared before anyone reads it. */
  depot: string;
  /** The named depots the report covers, in a deployment of several; none for one fleet. */
  depots?: readonly string[];
  period: ReportPeriod;
  previous: ReportPeriod;
  /** The report's own headline figures (buildHealthReport), so mail and page never disagree. */
  headline: readonly HeadlineKpi[];
  /** Where the report is, `s3://bucket/key`: always fetchable with access to the bucket. */
  location: string;
  key: string;
  /** The presigned GET link, and when its signature says it expires (ISO). */
  link: string;
  linkExpiresAt: string;
}

/** One SNS message, rendered per protocol (`MessageStructure: 'json'`). */
export interface ReportMessage {
  /** At most 100 printable ASCII characters (SNS's rule for email subjects). */
  subject: string;
  email: string;
  /** An AWS Chatbot custom notification for Slack, delivered over `https`. */
  chat: string;
  default: string;
}

/** The notice of one weekly report: the headline figures, the change on the week before, the link. */
export function reportMessage(notice: ReportNotice): ReportMessage {
  const depot = plainText(notice.depot, 60).trim();
  const span = `${notice.period.from} to ${notice.period.to}`;
  const width = Math.max(...notice.headline.map((k) => k.label.length));
  const display = (key: string) => notice.headline.find((k) => k.key === key)?.display ?? '-';
  const depots = (notice.depots ?? []).map((d) => plainText(d, 63));

  const email = [
    `depot-watch weekly health report for ${depot}, ${span} (UTC days).`,
    ...(depots.length > 0 ? [`It covers ${depots.length} depots: ${depots.join(', ')}.`] : []),
    '',
    ...notice.headline.map(
      (k) =>
        `${k.label.padEnd(width)}  ${k.display.padStart(14)}   ${k.changeDisplay} on ${k.previousDisplay}`,
    ),
    '',
    `Changes are against ${notice.previous.from} to ${notice.previous.to}.`,
    '',
    `Full report: ${notice.link}`,
    // The link is signed with the function role's temporary credentials; S3 refuses it once
    // they expire (hours), whatever the 7 days its signature names. The bucket copy stays.
    `The link is signed until ${notice.linkExpiresAt}, but it is signed with the function's`,
    'temporary credentials and may stop working within hours. The report stays in the bucket:',
    `  aws s3 cp ${notice.location} .`,
    '',
    'You receive this because you subscribed to depot-watch reports.',
  ].join('\n');

  const chat = JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: `📊 Weekly health report: ${slackText(notice.depot, 60)}, ${span}`,
      description: notice.headline
        .map((k) => `*${k.label}:* ${k.display} (${k.changeDisplay} on ${k.previousDisplay})`)
        .join('\n'),
      nextSteps: [
        `Open the report (signed link, may stop working before ${notice.linkExpiresAt}): ${notice.link}`,
        `Always in the bucket: ${notice.location}`,
      ],
      keywords: ['health-report'],
    },
    metadata: {
      threadId: 'depot-watch-health-report',
      summary: `Weekly health report ${span}`,
      eventType: 'depot-watch.health-report',
    },
  });

  const defaultBody = JSON.stringify({
    source: 'depot-watch',
    kind: 'health-report',
    depot: plainText(notice.depot, 200),
    ...(depots.length > 0 ? { depots } : {}),
    period: notice.period,
    previous: notice.previous,
    headline: notice.headline.map(({ key, label, value, previousValue, change }) => ({
      key,
      label,
      value,
      previousValue,
      change,
    })),
    location: notice.location,
    key: notice.key,
    link: notice.link,
    linkExpiresAt: notice.linkExpiresAt,
  });

  return {
    subject: emailSubject(
      `[REPORT] ${depot} ${span}: ${display('sessions')} sessions, success ${display('success')}`,
    ),
    email,
    chat,
    default: defaultBody,
  };
}
