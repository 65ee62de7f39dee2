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

  it('keep BENCHMARKS.md to its tables, within 12 KB, methods and notes going to docs/benchmarks.md', () => {
    expect(statSync('BENCHMARKS.md').size).toBeLessThanOrEqual(12 * 1024);
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
