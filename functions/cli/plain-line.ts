/**
 * Text from the vendor made safe for one terminal line: control characters (and with them
 * ANSI escape sequences) and line breaks become spaces.
 */
export function plainLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
