import type { Finding } from './finding.ts';

/**
 * A finding as plain text for people (terminal, email): severity and title on the first line,
 * then the message wrapped for reading, then the rule and fingerprint for looking it up.
 */
export function findingAsText(finding: Finding, width = 100): string {
  return [
    `[${finding.severity.toUpperCase()}] ${finding.title}`,
    ...wrap(finding.message, width - 2).map((line) => `  ${line}`),
    `  rule ${finding.rule} · fingerprint ${finding.fingerprint}`,
  ].join('\n');
}

/** Breaks text into lines of at most `width` characters at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
