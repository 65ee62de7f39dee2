import type { IncidentNotification } from '../../core/incidents/incident.ts';
import type { NoticeLinks } from '../links.ts';
import { markdownText } from '../markdown-text.ts';
import { bodyOf, factsOf, headlineOf } from '../notice-facts.ts';

/** The card's colour for the headline: red for critical, amber for warning, green once resolved. */
const COLOUR = { critical: 'Attention', warning: 'Warning', info: 'Accent' } as const;

/**
 * The message a Teams Workflows webhook ("When a Teams webhook request is received") posts: an
 * Adaptive Card 1.4 as the one attachment, the only format Workflows accept. Headline, what
 * happened, the facts, the command that shows the incident, and a button to the reports when
 * they are on S3 (Teams opens only https links). Every vendor string is escaped for Markdown.
 */
export function teamsMessage(
  notice: IncidentNotification,
  links: NoticeLinks,
): Record<string, unknown> {
  const https = links.reports.href.startsWith('https://');
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      {
        type: 'TextBlock',
        text: markdownText(headlineOf(notice), 300),
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
        color: notice.event === 'resolve' ? 'Good' : COLOUR[notice.severity],
      },
      { type: 'TextBlock', text: markdownText(bodyOf(notice, 2_000), 2_000), wrap: true },
      {
        type: 'FactSet',
        facts: factsOf(notice).map(([title, value]) => ({
          title: markdownText(title, 80),
          value: markdownText(value, 500),
        })),
      },
      {
        type: 'TextBlock',
        text: markdownText(`Show it: ${links.command}`, 400),
        wrap: true,
        fontType: 'Monospace',
        isSubtle: true,
      },
      ...(https
        ? []
        : [
            {
              type: 'TextBlock',
              text: markdownText(`Reports: ${links.reportsLocation}`, 1_000),
              wrap: true,
              isSubtle: true,
            },
          ]),
    ],
    actions: https
      ? [{ type: 'Action.OpenUrl', title: links.reports.text, url: links.reports.href }]
      : [],
  };
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
