import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemTexts } from '../../functions/sources/depotfinity/page-items.ts';
import { pageBodyCapBytes } from '../../functions/sources/depotfinity/session-reports.ts';

describe('the items of a page, as the API sent them', () => {
  it('gives back each item exactly, however the page is laid out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.jsonValue(),
        fc.integer({ min: 0, max: 4 }),
        (items, other, indent) => {
          // The oracle: each item laid out on its own, the way the page lays it out.
          const page = JSON.stringify({ before: other, items, after: other }, null, indent);
          const texts = itemTexts(page);
          expect(texts?.map((t) => JSON.parse(t))).toEqual(JSON.parse(page).items);
          for (const text of texts ?? []) expect(page).toContain(text);
        },
      ),
    );
  });

  it('keeps what parsing would lose: duplicate keys, big integers, escapes', () => {
    const page =
      '{"items":[{"sessionId":9007199254740993,"a":1,"a":2},\n  {"s":"q\\"uo}te]\\\\"}],"n":0}';
    expect(itemTexts(page)).toEqual([
      '{"sessionId":9007199254740993,"a":1,"a":2}',
      '{"s":"q\\"uo}te]\\\\"}',
    ]);
  });

  it('takes the last of two items arrays, as JSON.parse does, and handles deep nesting', () => {
    expect(itemTexts('{"items":[1],"items":[2,3]}')).toEqual(['2', '3']);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(itemTexts(`{"items":[{"x":${deep}}]}`)).toEqual([`{"x":${deep}}`]);
    expect(itemTexts('{"results":[]}')).toBeUndefined();
    expect(itemTexts('[1,2]')).toBeUndefined();
  });

  it('finds an item of millions of elements whole, one too big for the regex engine', () => {
    const huge = `{"x":[${'1,'.repeat(5_000_000)}"\\\\"]}`;
    expect(itemTexts(`{"items":[${huge},{"y":2}]}`)).toEqual([huge, '{"y":2}']);
  });
});

describe('the page body cap', () => {
  it('leaves pages in flight half the memory at about six times their size', () => {
    // 512 MB, 8 connectors at once: 256 MiB / 8 / 6 = 5.33 MiB per page.
    expect(pageBodyCapBytes(512, 8)).toBe(5_592_405);
    expect(pageBodyCapBytes(10_240, 1)).toBe(64 * 1024 * 1024);
    expect(pageBodyCapBytes(128, 64)).toBe(1024 * 1024);
  });
});
