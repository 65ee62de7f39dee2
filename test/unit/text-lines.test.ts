import { describe, expect, it } from 'vitest';
import { linesOf } from '../../functions/adapters/text-lines.ts';
import { recordingArchive } from '../helpers/recording-archive.ts';

const LINES = ['{"id":"n-1","message":"a"}', '{"id":"n-2","message":"ü 😀"}', '{"id":"n-3"}'];
const TEXT = `${LINES.join('\n')}\n`;

/** The text cut every `size` characters, wherever that falls. */
const cut = (size: number) =>
  function* () {
    for (let at = 0; at < TEXT.length; at += size) yield TEXT.slice(at, at + size);
  };

describe('lines of text that comes in pieces', () => {
  it('gives each line whole, however the pieces cut it, and skips empty ones', () => {
    for (const size of [1, 2, 5, 27, 28, 1_000]) expect([...linesOf(cut(size))]).toEqual(LINES);
    expect([...linesOf(TEXT)]).toEqual(LINES);
    expect([...linesOf('\n\na\n\nb')]).toEqual(['a', 'b']);
    expect([...linesOf('')]).toEqual([]);
  });

  it('lets an archive of one depot among several name the depot on every line', async () => {
    const { archive, bodies } = recordingArchive('north');
    await archive.putIncidentHistory('2026-11-30', 'run-1', cut(3));
    expect(
      bodies
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    ).toEqual(LINES.map((line) => ({ depot: 'north', ...JSON.parse(line) })));
  });
});
