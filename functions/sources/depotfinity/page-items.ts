/**
 * The exact text of each element of a page's top-level `items` array, as the API sent it.
 * The archive stores these bytes, so duplicate keys and integers beyond 2^53 survive, and no
 * report is stringified again. Returns undefined when the text has no such array.
 *
 * The text must already have parsed as JSON: this scanner trusts its structure and only finds
 * boundaries. It is iterative, so a field nested 100,000 deep costs time, not stack.
 */
export function itemTexts(text: string): string[] | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  let items: string[] | undefined;
  while (i < text.length && text.charCodeAt(i) !== CLOSE_BRACE) {
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
    let valueEnd: number;
    // JSON.parse keeps the last of duplicate keys; so does this. The array is walked once.
    if (key === 'items' && text.charCodeAt(i) === OPEN_BRACKET) {
      items = [];
      valueEnd = elements(text, i, items);
    } else {
      if (key === 'items') items = undefined;
      valueEnd = endOfValue(text, i);
    }
    i = skipSpace(text, valueEnd);
    if (text.charCodeAt(i) === COMMA) i = skipSpace(text, i + 1);
  }
  return items;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Adds the text of each element of the array at `start` to `result`; the index past it. */
function elements(text: string, start: number, result: string[]): number {
  let i = skipSpace(text, start + 1);
  while (text.charCodeAt(i) !== CLOSE_BRACKET) {
    const end = endOfValue(text, i);
    result.push(text.slice(i, end));
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === COMMA) i = skipSpace(text, i + 1);
  }
  return i + 1;
}

/**
 * An object or array nested at most 8 deep, matched whole by the regex engine: a report's text
 * is found several times faster than by the loop below, which takes what this does not match.
 */
const NESTED = nestedValue(8);

function nestedValue(depth: number): RegExp {
  const string = String.raw`"[^"\\]*(?:\\[\s\S][^"\\]*)*"`;
  const other = String.raw`[^"{}\[\]]`;
  let inside = `(?:${string}|${other})*`;
  for (let level = 0; level < depth; level++)
    inside = `(?:${string}|${other}|[{\\[]${inside}[}\\]])*`;
  return new RegExp(`[{\\[]${inside}[}\\]]`, 'y');
}

/** Ends of scalars: whitespace, a comma or a closing bracket. */
const SCALAR = /[^\s,\]}]*/y;

/** The index just past the value starting at `start`. */
function endOfValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return endOfString(text, start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    SCALAR.lastIndex = start;
    SCALAR.test(text);
    return SCALAR.lastIndex;
  }
  NESTED.lastIndex = start;
  try {
    if (NESTED.test(text)) return NESTED.lastIndex;
  } catch {
    // A value of millions of elements overflows the regex engine's stack: the loop takes it.
  }
  return endOfNested(text, start);
}

/** The index just past the object or array starting at `start`, however deep. */
function endOfNested(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = endOfString(text, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** The index just past the string whose opening quote is at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function skipSpace(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}
