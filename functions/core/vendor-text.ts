/**
 * Text that came from the vendor (ids, error codes, status strings) is data: wherever a person
 * reads it, it must not move a cursor, colour a terminal, mention a Slack channel or grow a
 * message without bound.
 */

// CSI and OSC escape sequences first (so their parameters go too), then any other control.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Plain text for terminals and email: escape sequences and controls become one space, capped. */
export function plainText(text: string, max: number): string {
  return capped(text.replace(ESCAPE_SEQUENCE, ' ').replace(CONTROL, ' '), max);
}

/**
 * Text for Slack mrkdwn (through AWS Chatbot): `&`, `<` and `>` escaped as Slack asks, which
 * also defuses `<!channel>`, `<@U123>` and `<http://…|link>`; `@channel`-style words lose
 * their power through a zero-width joiner after the `@`.
 */
export function slackText(text: string, max: number): string {
  return plainText(text, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200d$1');
}

/** At most `max` characters (code points), an ellipsis marking the cut. */
export function capped(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}
