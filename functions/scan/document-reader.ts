import { type PackedDocument, SpilledText } from './document-text.ts';
import { type MemberEvents, ObjectMembers } from './object-members.ts';
import { SpilledTexts } from './spilled-texts.ts';
import { STATE_FORMAT, type StateDocument } from './state-document.ts';

/**
 * Reads a stored state document as its text arrives into a run's packed copy: each connector's
 * cursor and incident record and the attribution record go to the run's temp files as text,
 * never parsed and never all in memory; the other members (KPI rows, outbox) are parsed. A text
 * that is not a state document is an error naming `where`, as `parseStateDocument` says.
 */
export async function readPackedDocument(
  text: AsyncIterable<string>,
  where: string,
): Promise<PackedDocument> {
  const records = new SpilledTexts();
  const cursors = new SpilledTexts();
  let attribution: SpilledText | undefined;
  try {
    const members: Record<string, unknown> = {};
    let value: Omit<MemberEvents, 'member'> = { piece: () => undefined, end: () => undefined };
    const document = new ObjectMembers({
      member: (name) => {
        if (name === 'incidents' || name === 'cursors') {
          value = recordsInto(name === 'incidents' ? records : cursors);
          members[name] = true;
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
      kpis: read.kpis ?? {},
      cursors,
      incidents: records,
      ...(attribution ? { attribution } : {}),
    };
  } catch (error) {
    records.close();
    cursors.close();
    (attribution as SpilledText | undefined)?.texts.close();
    throw new Error(`state document ${where} cannot be read: ${(error as Error).message}`);
  }
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
