import type { StateDocument } from './state-document.ts';

/**
 * A state document as a run holds it: each connector's incident record, and the fleet's
 * attribution record, kept as JSON text and parsed only while a step works on it. Text takes a
 * third of the memory the parsed record does, and a commit writes it as it is.
 */
export type PackedDocument = Omit<StateDocument, 'incidents' | 'attribution'> & {
  incidents: ReadonlyMap<string, string>;
  attribution?: JsonText;
};

/** A value kept as its JSON text. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Characters gathered before a piece of the document's text is handed to the writer. */
const CHUNK_CHARS = 64 * 1024;
/** How deep objects and arrays are written entry by entry rather than stringified whole. */
const SPLIT_DEPTH = 3;

/**
 * A state document's JSON text in pieces of about 64 KB, so that writing a depot's document
 * never builds one string (and its bytes) as large as the whole. Parses to what
 * `JSON.stringify(document)` would have written.
 */
export function* documentChunks(document: StateDocument | PackedDocument): Generator<string> {
  let pending = '';
  for (const piece of pieces(document, SPLIT_DEPTH)) {
    pending += piece;
    if (pending.length >= CHUNK_CHARS) {
      yield pending;
      pending = '';
    }
  }
  yield `${pending}\n`;
}

function* pieces(value: unknown, depth: number): Generator<string> {
  if (value instanceof JsonText) {
    yield value.text;
  } else if (value instanceof Map) {
    // Packed records: their text is already JSON.
    let first = true;
    yield '{';
    for (const [key, text] of value as Map<string, string>) {
      yield `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
      first = false;
    }
    yield '}';
  } else if (depth > 0 && Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield* value[i] === undefined ? ['null'] : pieces(value[i], depth - 1);
    }
    yield ']';
  } else if (depth > 0 && value !== null && typeof value === 'object') {
    let first = true;
    yield '{';
    for (const [key, entry] of Object.entries(value)) {
      if (entry === undefined) continue;
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      yield* pieces(entry, depth - 1);
    }
    yield '}';
  } else {
    yield JSON.stringify(value);
  }
}

/**
 * The UTF-8 bytes of text that comes in pieces, in one buffer of the exact size: the pieces
 * are made twice (once to count, once to copy) rather than all kept at once.
 */
export function bytesOf(chunks: () => Iterable<string>): Uint8Array {
  let size = 0;
  for (const piece of chunks()) size += Buffer.byteLength(piece);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const piece of chunks()) at += bytes.write(piece, at);
  return bytes;
}
