import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorOrder, type DailyConnectorKpi } from '../../functions/core/fleet/daily-kpis.ts';
import { DayRows } from '../../functions/scan/day-rows.ts';
import {
  bytesOf,
  documentChunks,
  jsonChunks,
  SpilledText,
} from '../../functions/scan/document-text.ts';
import { OutboxEntries } from '../../functions/scan/outbox-entries.ts';
import { SpilledTexts } from '../../functions/scan/spilled-texts.ts';
import type { StateDocument } from '../../functions/scan/state-document.ts';
import { copiesOf, textOf } from '../helpers/chunks.ts';
import { documentOfConnectors } from '../helpers/state-document.ts';

/** A document of many connectors, with text that needs escaping and fields left undefined. */
function bigDocument(connectors: number): StateDocument {
  const document = documentOfConnectors(connectors, (i) => ({
    note: 'quote " backslash \\ line\nbreak — ünïcode',
    missing: undefined,
    list: [1, undefined, { deep: { deeper: [i] } }],
  }));
  const attribution = {
    version: 2,
    seen: { 'HPC-1\u001f1': [['100@2026-11-30', '2026-11-30T10:00:00.000Z']] },
    failures: [],
  } as unknown as StateDocument['attribution'];
  // Rows as the document keeps them: in connector order (HPC-1, HPC-10, HPC-2, …).
  const rows = Array.from({ length: 30 }, (_, i) => ({
    date: '2026-11-30',
    chargerId: `HPC-${i + 1}`,
    connectorId: '1',
    sessions: i,
    sessionKeys: [`${i}@2026-11-30`, 'quote " — ü'],
  })).sort(connectorOrder) as unknown as DailyConnectorKpi[];
  return {
    ...document,
    kpis: { '2026-11-29': [], '2026-11-30': rows },
    outbox: Array.from({ length: 3 }, (_, i) => ({
      notice: { id: `n-${i}`, message: 'he said "}] ü' },
      deliverer: { runId: 'run-3', day: '2026-11-30', until: '2026-11-30T12:15:00.000Z' },
    })) as unknown as StateDocument['outbox'],
    seq: 3,
    runId: 'run-3',
    committedAt: '2026-11-30T12:00:00.000Z',
    ...(attribution ? { attribution } : {}),
  };
}

describe('a state document written in pieces', () => {
  it('reads back as what JSON.stringify would have written, records packed or not', () => {
    const document = bigDocument(3_000);
    const expected = JSON.parse(JSON.stringify(document));
    const packed = {
      ...document,
      attribution: new SpilledText(new SpilledTexts(), 'attribution'),
      outbox: OutboxEntries.of(document.outbox),
      cursors: new SpilledTexts(),
      incidents: new SpilledTexts(),
      kpis: Object.fromEntries(
        Object.entries(document.kpis).map(([day, rows]) => [day, DayRows.of(rows)]),
      ),
    };
    for (const [key, record] of Object.entries(document.incidents))
      packed.incidents.set(key, JSON.stringify(record));
    for (const [key, cursor] of Object.entries(document.cursors))
      packed.cursors.set(key, JSON.stringify(cursor));
    packed.attribution.texts.set('attribution', JSON.stringify(document.attribution));
    for (const form of [document, packed]) {
      const chunks = copiesOf(documentChunks(form));
      expect(chunks.length).toBeGreaterThan(5);
      // No piece much larger than the 64 KB the writer asks for: no record here is large.
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70 * 1024);
      expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual(expected);
      const bytes = bytesOf(() => documentChunks(form));
      expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual(expected);
    }
    packed.cursors.close();
    packed.incidents.close();
    for (const rows of Object.values(packed.kpis)) rows.close();
    packed.attribution.texts.close();
    packed.outbox.close();
  });
});

describe('a document with records larger than a piece', () => {
  it('copies each record from its temp file as bytes, in pieces no larger than 64 KB', () => {
    const incidents = new SpilledTexts();
    // 200 KB of text with 2-, 3- and 4-byte characters, cut wherever the pieces fall.
    const note = 'Überstrom — Schütz offen ✓ 😀 '.repeat(6_000);
    incidents.set('HPC-1\u001f1', JSON.stringify({ note }));
    incidents.set('HPC-2\u001f1', JSON.stringify({ note: 'short' }));
    const chunks = copiesOf(jsonChunks({ incidents }, 3));
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(64 * 1024);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual({
      incidents: { 'HPC-1\u001f1': { note }, 'HPC-2\u001f1': { note: 'short' } },
    });
    incidents.close();
  });
});

describe('texts spilled to a temp file', () => {
  it('gives back each text as set, whole or in pieces cut through multi-byte characters', () => {
    const texts = new SpilledTexts();
    const long = 'Battery — alignment ✓ ünïcode 😀 '.repeat(500);
    texts.set('a', 'first');
    texts.set('b', long);
    texts.set('a', 'again, longer than before');
    expect(texts.get('a')).toBe('again, longer than before');
    expect(texts.get('b')).toBe(long);
    expect(texts.get('missing')).toBeUndefined();
    // 7-byte slices cut 3- and 4-byte characters in two: the pieces must still join to the text.
    expect([...texts.pieces('b', 7)].join('')).toBe(long);
    // As bytes, in 7-byte slices of one reused buffer: copied as they come, they are the text.
    expect(textOf(texts.bytes('b', 7))).toBe(long);
    expect([...texts.entries()].map(([key]) => key)).toEqual(['a', 'b']);
    texts.close();
  });

  it('keeps each of several open texts its own keys, through forgetting and setting again', () => {
    const cursors = new SpilledTexts();
    const records = new SpilledTexts();
    // More keys than the first index holds, set in a different order in each.
    const keys = Array.from({ length: 300 }, (_, i) => `HPC-${i}\u001f1`);
    keys.forEach((key, i) => {
      cursors.set(key, `cursor ${i}`);
    });
    for (const key of [...keys].reverse().slice(0, 100)) records.set(key, `record of ${key}`);
    cursors.delete('HPC-5\u001f1');
    cursors.delete('HPC-5\u001f1');
    cursors.delete('never set');
    cursors.set('HPC-7\u001f1', 'cursor 7, again');
    cursors.set('HPC-5\u001f1', 'back');

    expect(cursors.size).toBe(300);
    expect(records.size).toBe(100);
    // A key set again keeps its place; one forgotten and set again comes last.
    expect([...cursors.keys()]).toEqual([
      ...keys.filter((k) => k !== 'HPC-5\u001f1'),
      'HPC-5\u001f1',
    ]);
    expect(cursors.get('HPC-7\u001f1')).toBe('cursor 7, again');
    expect(cursors.get('HPC-299\u001f1')).toBe('cursor 299');
    expect(records.has('HPC-0\u001f1')).toBe(false);
    expect(records.get('HPC-200\u001f1')).toBe('record of HPC-200\u001f1');
    expect([...records.keys()][0]).toBe('HPC-299\u001f1');
    cursors.close();
    // The other text still knows its keys after one closes.
    expect(records.get('HPC-299\u001f1')).toBe('record of HPC-299\u001f1');
    records.close();
  });

  it('leaves nothing in the temp folder, even while open: a killed run leaves no file behind', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'spill-test-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const texts = new SpilledTexts();
      texts.set('a', 'x'.repeat(100_000));
      expect(readdirSync(tmp)).toEqual([]);
      expect(texts.get('a')).toHaveLength(100_000);
      texts.close();
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
