import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** README.md and every Markdown file under docs/, as paths from the repository root. */
export function docFiles(): string[] {
  const docs = readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

/** The text of a file from the repository root. */
export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A fenced code block: its info string (`sh`, `json`, or empty) and its lines. */
export interface Fence {
  info: string;
  lines: string[];
}

/** The fenced code blocks of a Markdown text, in order. */
export function fences(markdown: string): Fence[] {
  const found: Fence[] = [];
  let open: Fence | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^\s*```\s*([\w-]*)/.exec(line);
    if (fence && !open) open = { info: fence[1] ?? '', lines: [] };
    else if (fence && open) {
      found.push(open);
      open = undefined;
    } else if (open) open.lines.push(line.replace(/^ {2}(?= *\S)/, ''));
  }
  return found;
}

/** The text outside fenced code blocks and inline code spans, where links are links. */
export function prose(markdown: string): string {
  const lines: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    else if (!inFence) lines.push(line.replace(/`[^`]*`/g, ''));
  }
  return lines.join('\n');
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to `-`. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown.replace(/`([^`]*)`/g, '$1')).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*$/.exec(line);
    if (!heading?.[1]) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}
