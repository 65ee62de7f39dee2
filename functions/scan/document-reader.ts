import type { ReportOrigin } from '../core/session-report.ts';
import { DayRows } from './day-rows.ts';
import { type PackedDocument, SpilledText } from './document-text.ts';
import { elementsOf, membersOf, parsedValue, textsOf, type ValueEvents } from './object-members.ts';
import { OutboxEntries } from './outbox-entries.ts';
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
    const document = membersOf((name) => {
      if (name === 'incidents' || name === 'cursors') {
        members[name] = true;
        const into = name === 'incidents' ? records : cursors;
        return textsOf((key, record) => into.set(key, record));
      }
      if (name === 'kpis') return daysInto(kpis);
      if (name === 'attribution') {
        const texts = new SpilledTexts();
        const writer = texts.writer(name);
        attribution = new SpilledText(texts, name);
        return { piece: writer.add, end: writer.end };
      }
      return parsedValue((value) => {
        members[name] = value;
      });
    });
    for await (const chunk of text) document.piece(chunk);
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
      ...(read as Omit<StateDocument, 'cursors' | 'incidents' | 'attribution' | 'outbox'>),
      outbox: OutboxEntries.of(read.outbox),
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

/** The `kpis` member: each day's rows, kept under their connector in a temp file of the day's. */
function daysInto(kpis: Record<string, DayRows>): ValueEvents {
  return membersOf((day) => {
    const kept = new DayRows();
    kpis[day] = kept;
    // Parsed only to find the row's connector; kept as it was written.
    return elementsOf((row) => kept.setText(connectorKey(JSON.parse(row) as ReportOrigin), row));
  });
}
