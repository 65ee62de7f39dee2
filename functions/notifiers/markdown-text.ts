import { plainText } from '../core/vendor-text.ts';

/** Look-alikes of the characters that format CommonMark (Teams' Adaptive Card text). */
const LOOKALIKE: Record<string, string> = {
  '*': '\u2217', // ∗
  _: '\u02cd', // ˍ
  '~': '\u223c', // ∼
  '`': '\u02cb', // ˋ
  '[': '\uff3b', // ［
  ']': '\uff3d', // ］
};

/**
 * Vendor text for Teams: an Adaptive Card's TextBlock and FactSet render a subset of Markdown
 * (bold, italics, lists, links) and Teams honours no backslash escape everywhere, so each mark
 * that could format shows as its look-alike, and a line that would start a list or a heading
 * starts with a zero-width space instead. Controls are cleared and the text capped first.
 */
export function markdownText(text: string, max: number): string {
  return plainText(text, max)
    .replace(/[*_~`[\]]/g, (mark) => LOOKALIKE[mark] ?? mark)
    .replace(/^(\s*)([#>+-]|\d+[.)])/, '$1\u200b$2');
}
