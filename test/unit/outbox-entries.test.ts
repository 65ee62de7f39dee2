import { describe, expect, it } from 'vitest';
import { OutboxEntries } from '../../functions/scan/outbox-entries.ts';
import type { OutboxEntry } from '../../functions/scan/state-document.ts';
import { TextPlaces } from '../../functions/scan/temp-text-file.ts';

/** An entry whose notice holds what JSON and UTF-8 can trip on, `size` characters of message. */
function entry(i: number, size = 40): OutboxEntry {
  return {
    notice: {
      id: `n-${i}`,
      incident: `inc-${i % 7}`,
      message: `he said "}] ü 😀 ${i} `.padEnd(size, 'x'),
    },
    deliverer: { runId: `run-${i % 2}`, day: '2026-11-30', until: '2026-11-30T12:15:00.000Z' },
    ...(i % 3 === 0 ? { sent: '2026-11-30T12:01:00.000Z' } : {}),
  } as unknown as OutboxEntry;
}

describe("a run's outbox kept in a temp file", () => {
  it('gives back every entry as it was added, in order, from any entry on', () => {
    // Past the 64 KB read buffer, and past its first 16 places, so both grow.
    const added = Array.from({ length: 300 }, (_, i) => entry(i, i === 150 ? 200_000 : 40));
    const outbox = OutboxEntries.of(added);
    try {
      expect(outbox.length).toBe(300);
      expect([...outbox]).toEqual(added);
      expect([...outbox.from(290)]).toEqual(added.slice(290));
      expect([...outbox.from(300)]).toEqual([]);
      expect([...outbox.texts()].map((text) => JSON.parse(text))).toEqual(added);
    } finally {
      outbox.close();
    }
  });

  it('is empty when nothing was added', () => {
    const outbox = new OutboxEntries();
    expect([...outbox]).toEqual([]);
    expect(outbox.length).toBe(0);
    outbox.close();
    outbox.close();
  });
});

describe('places of texts in a temp file', () => {
  it('keep every offset in 4 bytes, and in 8 once one passes 4 GiB, growing as slots come', () => {
    const places = new TextPlaces(2);
    places.set(0, 4_294_967_295, 7);
    places.set(2, 5_000_000_123, 9);
    expect([0, 1, 2].map((slot) => [places.at(slot), places.bytes(slot)])).toEqual([
      [4_294_967_295, 7],
      [0, 0],
      [5_000_000_123, 9],
    ]);
  });
});
