import { describe, expect, it } from 'vitest';
import { KeySet, SharedKeys } from '../../functions/scan/shared-keys.ts';
import { SpilledTexts } from '../../functions/scan/spilled-texts.ts';

describe('a set of connector keys held as numbers', () => {
  it('holds each key once, in the order first added, beside texts keyed the same', () => {
    const texts = new SpilledTexts();
    const touched = new KeySet();
    const keys = Array.from({ length: 500 }, (_, i) => `HPC-${i}\u001f${(i % 2) + 1}`);
    for (const key of keys) texts.set(key, key);
    for (const key of [...keys].reverse()) touched.add(key);
    touched.add('HPC-3\u001f2').add('HPC-3\u001f2');
    expect(touched.size).toBe(500);
    expect([...touched]).toEqual([...keys].reverse());
    expect(touched.has('HPC-7\u001f2')).toBe(true);
    expect(touched.has('HPC-7\u001f1')).toBe(false);
    expect(touched.has('never added')).toBe(false);
    texts.close();
    // The set outlives the texts it shared its keys with, and a new run's texts start afresh.
    const next = new SpilledTexts();
    next.set('HPC-999\u001f1', 'x');
    expect([...touched].slice(0, 2)).toEqual([keys[499], keys[498]]);
    expect(touched.has('HPC-999\u001f1')).toBe(false);
    expect([...next.keys()]).toEqual(['HPC-999\u001f1']);
    next.close();
  });
});

describe('connector keys numbered once', () => {
  it('numbers each key once, in the order first seen, however many and however alike', () => {
    const keys = new SharedKeys();
    // Enough to grow the table several times; keys that differ in one character, or only in
    // a character past the basic plane, and the empty key.
    const all = [
      '',
      'a',
      'a\u0000',
      '😀',
      '😁',
      ...Array.from({ length: 5_000 }, (_, i) => `HPC-${i}/${(i % 3) + 1}`),
    ];
    all.forEach((key, i) => {
      expect(keys.idOf(key)).toBeUndefined();
      expect(keys.add(key)).toBe(i);
    });
    all.forEach((key, i) => {
      expect(keys.add(key)).toBe(i);
      expect(keys.idOf(key)).toBe(i);
      expect(keys.keyAt(i)).toBe(key);
    });
    expect(keys.idOf('HPC-5000/1')).toBeUndefined();
  });
});
