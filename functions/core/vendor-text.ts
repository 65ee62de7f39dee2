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
/** Every escape sequence starts with a control: text without one is left as it is. */
const ANY_CONTROL = new RegExp(CONTROL.source);

/** Plain text for terminals and email: escape sequences and controls become one space, capped. */
export function plainText(text: string, max: number): string {
  if (!ANY_CONTROL.test(text)) return capped(text, max);
  return capped(text.replace(ESCAPE_SEQUENCE, ' ').replace(CONTROL, ' '), max);
}

/**
 * Text for Slack mrkdwn (through AWS Chatbot, which renders the client's Markdown: Slack's, or
 * Teams' CommonMark): `&`, `<` and `>` escaped as Slack asks, which also defuses `<!channel>`,
 * `<@U123>` and `<http://…|link>`; `@channel`-style words lose their power through a zero-width
 * joiner after the `@`; and no vendor character can format the message (see `withoutMarkup`).
 */
export function slackText(text: string, max: number): string {
  return withoutMarkup(
    plainText(text, max)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@(channel|here|everyone)\b/gi, '@\u200d$1'),
  );
}

/** Look-alikes of the characters that format text in Slack mrkdwn or CommonMark. */
const MARK_LOOKALIKE: Record<string, string> = {
  '*': '\u2217', // ∗ asterisk operator
  '~': '\u223c', // ∼ tilde operator
  '`': '\u02cb', // ˋ modifier letter grave accent
  _: '\u02cd', // ˍ modifier letter low macron
};

/**
 * Vendor text that cannot format: Slack mrkdwn has no escape character (a backslash shows as
 * one), so each mark that could open or close bold, italics, strike-through or code shows as its
 * look-alike, and a Markdown link `[text](url)` is broken between `]` and `(`. An underscore
 * between two letters or digits formats nothing anywhere (`ERR_OVERTEMP`) and stays as it is.
 * Email and the JSON bodies carry the exact text.
 */
function withoutMarkup(text: string): string {
  return text
    .replace(/[*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (mark) => MARK_LOOKALIKE[mark] ?? mark)
    .replace(/\]\(/g, ']\u200b(');
}

/**
 * Text shown as inline code in Slack mrkdwn, as a path should be (so it copies exactly): only
 * `&`, `<` and `>` need escaping inside it, and a backtick, which would end it, shows as its
 * look-alike.
 */
export function slackCode(text: string, max: number): string {
  const escaped = plainText(text, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, MARK_LOOKALIKE['`'] as string);
  return `\`${escaped}\``;
}

/** At most `max` characters (code points), an ellipsis marking the cut. */
export function capped(text: string, max: number): string {
  // No more code units than `max` means no more code points: most text needs no splitting.
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}
