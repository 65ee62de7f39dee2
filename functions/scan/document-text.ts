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

/** Bytes gathered before a piece of the document is handed to the writer. */
const CHUNK_BYTES = 64 * 1024;
/** How deep objects and arrays are written entry by entry rather than stringified whole. */
const SPLIT_DEPTH = 3;

/**
 * A state document's JSON as UTF-8 in pieces of about 64 KB, so that writing a depot's document
 * never builds one string (or buffer) as large as the whole; the texts kept in temp files go
 * into it as bytes, never made strings. Each piece is one buffer, reused: valid until the next
 * is asked for. Parses to what `JSON.stringify(document)` would have written.
 */
export function* documentChunks(document: StateDocument | PackedDocument): Generator<Uint8Array> {
  yield* chunked(withEnd(pieces(document, SPLIT_DEPTH)));
}

/**
 * A value's JSON as UTF-8 in pieces of about 64 KB, each valid until the next (as for
 * `documentChunks`): objects and arrays down to `depth` levels are written entry by entry,
 * deeper values whole.
 */
export function* jsonChunks(value: unknown, depth: number): Generator<Uint8Array> {
  yield* chunked(pieces(value, depth));
}

function* withEnd(pieces: Iterable<string | Uint8Array>): Generator<string | Uint8Array> {
  yield* pieces;
  yield '\n';
}

/** Pieces gathered into one buffer, handed on each time it is full. */
function* chunked(pieces: Iterable<string | Uint8Array>): Generator<Uint8Array> {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  for (const piece of pieces) {
    const size = sizeOf(piece);
    if (used > 0 && used + size > CHUNK_BYTES) {
      yield chunk.subarray(0, used);
      used = 0;
    }
    if (size > CHUNK_BYTES) yield typeof piece === 'string' ? Buffer.from(piece) : piece;
    else used += put(chunk, piece, used);
  }
  if (used > 0) yield chunk.subarray(0, used);
}

/** A piece's length in UTF-8 bytes. */
function sizeOf(piece: string | Uint8Array): number {
  return typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
}

/** Copies a piece into `target` at `at`; returns the bytes it took. */
function put(target: Buffer, piece: string | Uint8Array, at: number): number {
  if (typeof piece === 'string') return target.write(piece, at);
  target.set(piece, at);
  return piece.length;
}

function* pieces(value: unknown, depth: number): Generator<string | Uint8Array> {
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
    yield* value.texts.bytes(value.key, CHUNK_BYTES);
  } else if (value instanceof SpilledTexts) {
    // Packed records: their text is already JSON, copied from the temp file as it is.
    let first = true;
    yield '{';
    for (const key of value.keys()) {
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      yield* value.bytes(key, CHUNK_BYTES);
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
export function bytesOf(chunks: () => Iterable<string | Uint8Array>): Uint8Array {
  let size = 0;
  for (const piece of chunks()) size += sizeOf(piece);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const piece of chunks()) at += put(bytes, piece, at);
  return bytes;
}
