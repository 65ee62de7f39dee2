import type { TextPieces } from '../scan/ports.ts';

/**
 * The non-empty lines of text that may come in pieces, each whole however the pieces cut it:
 * only the line being cut is held, never the whole text.
 */
export function* linesOf(text: TextPieces): Generator<string> {
  let rest = '';
  for (const piece of typeof text === 'string' ? [text] : text()) {
    const lines = (rest + piece).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) yield line;
  }
  if (rest) yield rest;
}
