import { describe, expect, it } from 'vitest';
import { readPackedDocument } from '../../functions/scan/document-reader.ts';
import { documentChunks } from '../../functions/scan/document-text.ts';
import type { StateDocument } from '../../functions/scan/state-document.ts';
import { textOf } from '../helpers/chunks.ts';
import { documentOfConnectors } from '../helpers/state-document.ts';

/** A document whose strings hold what a JSON walker can trip on: quotes, braces, escapes. */
function trickyDocument(): StateDocument {
  const document = documentOfConnectors(40, (i) => ({
    title: `Breaker opened — "under load" {${i}} [x], y: z \\ ${'é😀'.repeat(i)}`,
    nested: { list: [{ a: '}', b: ']' }, [], {}], empty: '' },
  }));
  document.kpis['2026-11-29'] = [];
  document.kpis['2026-11-30'] = [
    { date: '2026-11-30', chargerId: 'A', connectorId: '1', note: 'a,b:c ] [' },
    { date: '2026-11-30', chargerId: 'B', connectorId: '1', note: '}' },
  ] as never;
  document.outbox = [{ notice: { id: 'n-1', message: 'he said "}"' } }] as never;
  return {
    ...document,
    seq: 7,
    runId: 'run-7',
    committedAt: '2026-11-30T12:00:00.000Z',
    attribution: { version: 2, failures: [{ k: '1@x', f: ['"{['] }], seen: {} } as never,
  };
}

async function* inPieces(text: string, size: number): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

async function readBack(text: string, size: number) {
  const packed = await readPackedDocument(inPieces(text, size), 'test');
  const parsed = (texts: typeof packed.incidents) =>
    Object.fromEntries([...texts.entries()].map(([key, text]) => [key, JSON.parse(text)]));
  const incidents = parsed(packed.incidents);
  const cursors = parsed(packed.cursors);
  const kpis = Object.fromEntries(
    Object.entries(packed.kpis).map(([day, rows]) => [day, rows.rows()]),
  );
  const attribution = packed.attribution?.value();
  const outbox = [...packed.outbox];
  packed.outbox.close();
  for (const rows of Object.values(packed.kpis)) rows.close();
  packed.cursors.close();
  packed.incidents.close();
  packed.attribution?.texts.close();
  return { ...packed, outbox, cursors, incidents, kpis, attribution };
}

describe('a state document read as it arrives', () => {
  const document = trickyDocument();
  const expected = JSON.parse(JSON.stringify(document));
  const texts = {
    'written in pieces': textOf(documentChunks(document)),
    'written whole, as earlier versions did': JSON.stringify(document),
    'pretty-printed by a person': JSON.stringify(document, null, 2),
  };
  for (const [how, text] of Object.entries(texts)) {
    it(`reads back every member, ${how}, cut anywhere`, async () => {
      for (const size of [1, 2, 3, 7, 64, 100_000]) {
        expect(await readBack(text, size)).toEqual(expected);
      }
    });
  }

  it('names the document that is cut short, is not an object, or is not a state document', async () => {
    const whole = texts['written in pieces'];
    await expect(readBack(whole.slice(0, whole.length / 2), 50)).rejects.toThrow(
      /state document test cannot be read: it ends before its last brace/,
    );
    await expect(readBack('[1, 2]', 50)).rejects.toThrow(/not a JSON object/);
    await expect(readBack('{"format":"other","seq":1}', 50)).rejects.toThrow(
      /is not a depot-watch\/state@1 document/,
    );
  });
});
