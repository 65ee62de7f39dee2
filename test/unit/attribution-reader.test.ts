import { describe, expect, it } from 'vitest';
import type { AttributionState } from '../../functions/core/fleet/attribution-state.ts';
import { readAttribution, readFleetFailures } from '../../functions/scan/attribution-reader.ts';
import { jsonChunks } from '../../functions/scan/document-text.ts';
import { SpilledEntries } from '../../functions/scan/spilled-entries.ts';
import { textOf } from '../helpers/chunks.ts';

const C = '\u001f';

/** A record whose tables hold what a JSON walker can trip on: quotes, braces, escapes, emoji. */
function trickyRecord(): AttributionState {
  const tricky = (i: number) => `HPC-"${i}"{}[],:\\${'é😀'.repeat(i % 3)}`;
  const seen: Record<string, [string, string][]> = {};
  const cleanByConnector: Record<string, [string, string][]> = {};
  const cleanByVehicle: Record<string, [string, string][]> = {};
  const connectors: Record<string, Record<string, [string, string, number][]>> = {};
  for (let i = 0; i < 30; i++) {
    const c = `${tricky(i)}${C}${i % 2}`;
    seen[c] = [[`s-${i}@2026-11-30`, '2026-11-30T10:00:00.000Z']];
    cleanByConnector[c] = [[`BUS "${i}"`, '2026-11-30T10:00:00.000Z']];
    cleanByVehicle[`BUS "${i}"`] = [[c, '2026-11-30T10:00:00.000Z']];
    connectors[`${tricky(i)}/${i % 2}`] = {
      'converter-efficiency-peer-drift': [[`s-${i}@2026-11-30`, '2026-11-30T10:00:00.000Z', 94.5]],
    };
  }
  return {
    version: 2,
    failures: [{ k: 'f@2026-11-30', c: `A${C}1`, t: '2026-11-30T09:00:00.000Z', f: ['"}]'] }],
    cleanByConnector,
    cleanByVehicle,
    seen,
    subjects: {},
    peers: { connectors, latest: '2026-11-30T10:00:00.000Z', forgotOn: '2026-11-30' },
    peerMarks: { [`A${C}1`]: ['power-delivery-drift'] },
  };
}

function* inPieces(text: string, size: number): Generator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

function read(text: string, size: number) {
  const { record, tables } = readAttribution(inPieces(text, size));
  try {
    return {
      record,
      whole: JSON.parse(JSON.stringify(record)),
      written: JSON.parse(textOf(jsonChunks(record, 3))),
    };
  } finally {
    for (const table of tables) table.close();
  }
}

describe("the attribution record's tables read into temp files", () => {
  const record = trickyRecord();
  const expected = JSON.parse(JSON.stringify(record));
  for (const [how, text] of Object.entries({
    'written compactly': JSON.stringify(record),
    'pretty-printed': JSON.stringify(record, null, 2),
  })) {
    it(`reads back every table and member, ${how}, cut anywhere`, () => {
      for (const size of [1, 3, 64, 100_000]) {
        const { record: back, whole, written } = read(text, size);
        expect(whole).toEqual(expected);
        // Written back entry by entry, never parsed whole: the same record.
        expect(written).toEqual(expected);
        expect(back.seen).toBeInstanceOf(SpilledEntries);
        expect(back.cleanByVehicle).toBeInstanceOf(SpilledEntries);
        expect(back.peers?.connectors).toBeInstanceOf(SpilledEntries);
        expect(back.failures).toEqual(expected.failures);
      }
    });
  }

  it('writes an entry set or deleted as the run left it', () => {
    const { record: back, tables } = readAttribution([JSON.stringify(record)]);
    try {
      const seen = back.seen as SpilledEntries<[string, string][]>;
      const first = [...seen.keys()][0] as string;
      const second = [...seen.keys()][1] as string;
      seen.set(first, [['new@2026-12-01', '2026-12-01T00:00:00.000Z']]);
      seen.delete(second);
      const written = JSON.parse(textOf(jsonChunks(back, 3)));
      expect(written.seen[first]).toEqual([['new@2026-12-01', '2026-12-01T00:00:00.000Z']]);
      expect(second in written.seen).toBe(false);
      expect(Object.keys(written.seen)).toHaveLength(29);
    } finally {
      for (const table of tables) table.close();
    }
  });

  it('reads the failures alone, and none from a record of another version', () => {
    expect(readFleetFailures(inPieces(JSON.stringify(record), 7))).toEqual(expected.failures);
    expect(readFleetFailures([JSON.stringify({ ...record, version: 1 })])).toEqual([]);
  });

  it('says so when the record is cut short', () => {
    const text = JSON.stringify(record);
    expect(() => readAttribution([text.slice(0, text.length / 2)])).toThrow(
      /ends before its last brace/,
    );
  });
});
