import type { IncidentNotification } from '../../core/incidents/incident.ts';
import { capped, plainText, slackCode, slackText } from '../../core/vendor-text.ts';
import type { NoticeLinks } from '../links.ts';
import { bodyOf, factsOf, headlineOf } from '../notice-facts.ts';

const ICON = { critical: '🔴', warning: '🟠', info: '🔵' } as const;

/**
 * An incoming-webhook message in Block Kit: a header with the headline (plain text, so nothing
 * in it formats), the message once (not the title again), the facts as fields, the reports as a
 * link and the command as code. `text` is the notification's fallback. Vendor text is escaped
 * for mrkdwn (`&`, `<`, `>`, mentions, formatting marks), within Block Kit's limits.
 */
export function slackMessage(
  notice: IncidentNotification,
  links: NoticeLinks,
): Record<string, unknown> {
  const icon = notice.event === 'resolve' ? '✅' : ICON[notice.severity];
  const headline = `${icon} ${headlineOf(notice, 140)}`;
  const reports = links.reports.href.startsWith('https://')
    ? `<${links.reports.href.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E')}|${links.reports.text}>`
    : `Reports: ${slackCode(links.reportsLocation, 1_000)}`;
  return {
    text: slackText(headline, 300),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: capped(plainText(headline, 150), 150), emoji: true },
      },
      { type: 'section', text: { type: 'mrkdwn', text: slackText(bodyOf(notice, 2_900), 2_900) } },
      {
        type: 'section',
        fields: factsOf(notice)
          .slice(0, 10)
          .map(([title, value]) => ({
            type: 'mrkdwn',
            text: `*${slackText(title, 80)}*\n${slackText(value, 500)}`,
          })),
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: reports },
          { type: 'mrkdwn', text: `Show it: ${slackCode(links.command, 400)}` },
        ],
      },
    ],
  };
}
