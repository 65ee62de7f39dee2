import type { ReportOrigin } from '../core/session-report.ts';
import { DayRows } from './day-rows.ts';
import { type PackedDocument, SpilledText } from './document-text.ts';
import { type MemberEvents, ObjectMembers } from './object-members.ts';
import { SpilledTexts } from './spilled-texts.ts';
import { connectorKey, STATE_FORMAT, type StateDocument } from './state-document.ts';

/**
 * Reads a stored state document as its text arrives into a run's packed copy: each connector's
 * cursor, incident record and KPI rows and the attribution record go to the run's temp files
 * as text, never all in memory; the other members (the outbox, a few fields) are parsed. A text
 * that is not a state document is an error naming `where`, as `parseStateDocument` says.
 */
export async function readPackedDocument(
  text: AsyncIterable<string>,
  where: string,
): Promise<PackedDocument> {
  const records = new SpilledTexts();
  const cursors = new SpilledTexts();
  const kpis: Record<string, DayRows> = {};
  let attribution: SpilledText | undefined;
  try {
    const members: Record<string, unknown> = {};
    let value: Omit<MemberEvents, 'member'> = { piece: () => undefined, end: () => undefined };
    const document = new ObjectMembers({
      member: (name) => {
        if (name === 'incidents' || name === 'cursors') {
          value = recordsInto(name === 'incidents' ? records : cursors);
          members[name] = true;
        } else if (name === 'kpis') {
          value = daysInto(kpis);
        } else if (name === 'attribution') {
          const texts = new SpilledTexts();
          const writer = texts.writer(name);
          attribution = new SpilledText(texts, name);
          value = { piece: writer.add, end: writer.end };
        } else value = parsedInto(members, name);
      },
      piece: (piece) => value.piece(piece),
      end: () => value.end(),
    });
    for await (const chunk of text) document.feed(chunk);
    if (!document.closed) throw new Error('it ends before its last brace');
    const read = members as Partial<StateDocument>;
    if (
      read.format !== STATE_FORMAT ||
      typeof read.seq !== 'number' ||
      members.cursors !== true ||
      members.incidents !== true ||
      !Array.isArray(read.outbox)
    )
      throw new Error(`it is not a ${STATE_FORMAT} document`);
    return {
      ...(read as Omit<StateDocument, 'cursors' | 'incidents' | 'attribution'>),
      kpis,
      cursors,
      incidents: records,
      ...(attribution ? { attribution } : {}),
    };
  } catch (error) {
    records.close();
    cursors.close();
    for (const rows of Object.values(kpis)) rows.close();
    (attribution as SpilledText | undefined)?.texts.close();
    throw new Error(`state document ${where} cannot be read: ${(error as Error).message}`);
  }
}

/** The `kpis` member: each day's rows, connector by connector, into a temp file of the day's. */
function daysInto(kpis: Record<string, DayRows>): Omit<MemberEvents, 'member'> {
  let rows: Omit<MemberEvents, 'member'> = { piece: () => undefined, end: () => undefined };
  const days = new ObjectMembers({
    member: (day) => {
      const kept = new DayRows();
      kpis[day] = kept;
      rows = rowsInto(kept);
    },
    piece: (piece) => rows.piece(piece),
    end: () => rows.end(),
  });
  return { piece: (piece) => days.feed(piece), end: () => undefined };
}

/** A day's array of rows: each row's text kept under its connector, parsed only to find it. */
function rowsInto(rows: DayRows): Omit<MemberEvents, 'member'> {
  let text = '';
  const each = new ObjectMembers(
    {
      member: () => {
        text = '';
      },
      piece: (piece) => {
        text += piece;
      },
      end: () => {
        const row = text.trim();
        if (row !== '') rows.setText(connectorKey(JSON.parse(row) as ReportOrigin), row);
      },
    },
    { array: true },
  );
  return { piece: (piece) => each.feed(piece), end: () => undefined };
}

/** A member's value parsed once it is whole: the document's small members. */
export function parsedInto(
  members: Record<string, unknown>,
  name: string,
): Omit<MemberEvents, 'member'> {
  let text = '';
  return {
    piece: (piece) => {
      text += piece;
    },
    end: () => {
      members[name] = JSON.parse(text);
    },
  };
}

/** An object member's entries (the `incidents` member: each record), their text by key into a temp file. */
export function recordsInto(records: SpilledTexts): Omit<MemberEvents, 'member'> {
  let key = '';
  let text = '';
  const each = new ObjectMembers({
    member: (name) => {
      key = name;
      text = '';
    },
    piece: (piece) => {
      text += piece;
    },
    end: () => records.set(key, text.trim()),
  });
  return { piece: (piece) => each.feed(piece), end: () => undefined };
}
