import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, docFiles, prose, read } from '../helpers/markdown.ts';

/** The README is where a newcomer starts; past this it stops being read as a whole. */
const README_LIMIT_BYTES = 15_360;

describe('the docs', () => {
  it('keep README.md within 15 KB, the rest going to docs/', () => {
    expect(statSync('README.md').size).toBeLessThanOrEqual(README_LIMIT_BYTES);
  });

  it('keep BENCHMARKS.md within 12 KB: per benchmark its judged figures and a note of at most three sentences', () => {
    expect(statSync('BENCHMARKS.md').size).toBeLessThanOrEqual(12 * 1024);
    const sections = read('BENCHMARKS.md').split('\n## ').slice(1);
    expect(sections.length).toBeGreaterThan(5);
    const tooLong = sections.flatMap((section) => {
      const [title = '', ...body] = section.split('\n');
      const note = body.filter((line) => /^[A-Z]/.test(line) && !line.startsWith('No target'));
      const sentences = note.join(' ').match(/[.!?](?=\s+[A-Z(]|$)/g) ?? [];
      return note.length > 1 || sentences.length > 3 ? [title] : [];
    });
    expect(tooLong).toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const match of prose(read(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : normalize(join(dirname(file), path));
        if (!existsSync(resolved)) broken.push(`${file}: ${target} (no file ${resolved})`);
        else if (anchor && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor))
          broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('are each linked from the README table of contents', () => {
    const readme = read('README.md');
    const unlinked = docFiles()
      .filter((file) => file.startsWith('docs/'))
      .filter((file) => !readme.includes(`](${file})`) && !readme.includes(`](${file}#`));
    expect(unlinked).toEqual([]);
  });
});
