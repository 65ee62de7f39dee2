import { DayRows } from './day-rows.ts';
import { OutboxEntries } from './outbox-entries.ts';
import { SpilledEntries } from './spilled-entries.ts';
import { SpilledTexts } from './spilled-texts.ts';
import type { StateDocument } from './state-document.ts';

/**
 * A state document as a run holds it: each connector's cursor, incident record and KPI rows,
 * and the fleet's attribution record, kept as JSON text in temp files (see `SpilledTexts`) and parsed
 * only while a step works on them. A commit writes the text as it is, a piece at a time.
 */
export type PackedDocument = Omit<
  StateDocument,
  'cursors' | 'incidents' | 'kpis' | 'attribution' | 'outbox'
> & {
  outbox: OutboxEntries;
  cursors: SpilledTexts;
  kpis: Record<string, DayRows>;
  incidents: SpilledTexts;
  attribution?: SpilledText;
};

/** A value kept as its JSON text, under its key in a run's spilled texts. */
export class SpilledText {
  constructor(
    readonly texts: SpilledTexts,
    readonly key: string,
  ) {}

  /** The value, parsed. */
  value(): unknown {
    return JSON.parse(this.texts.get(this.key) ?? 'null');
  }
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
  yield* jsonChunks(document, SPLIT_DEPTH);
  yield '\n';
}

/**
 * A value's JSON text in pieces of about 64 KB: objects and arrays down to `depth` levels are
 * written entry by entry, deeper values whole.
 */
export function* jsonChunks(value: unknown, depth: number): Generator<string> {
  let pending = '';
  for (const piece of pieces(value, depth)) {
    pending += piece;
    if (pending.length >= CHUNK_CHARS) {
      yield pending;
      pending = '';
    }
  }
  yield pending;
}

function* pieces(value: unknown, depth: number): Generator<string> {
  if (value instanceof SpilledEntries) {
    yield* pieces(value.texts, depth);
  } else if (value instanceof DayRows || value instanceof OutboxEntries) {
    // Rows and entries kept as their JSON text: written as they are.
    let first = true;
    yield '[';
    for (const text of value.texts()) {
      yield first ? text : `,${text}`;
      first = false;
    }
    yield ']';
  } else if (value instanceof SpilledText) {
    yield* value.texts.pieces(value.key, CHUNK_CHARS);
  } else if (value instanceof SpilledTexts) {
    // Packed records: their text is already JSON.
    let first = true;
    yield '{';
    for (const [key, text] of value.entries()) {
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
