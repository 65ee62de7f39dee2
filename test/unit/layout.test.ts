import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The floors of functions/ and the arrows between them, as docs/architecture.md draws them,
 * read from the code's own import lines: a file that breaks a rule is named with what it imports.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `import … from '…'`, `export … from '…'` (over several lines too) and `import('…')`. */
const IMPORT =
  /(?:^|;|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of a file's text, as written. */
function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter((spec) => spec.startsWith('./') || spec.startsWith('../'));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name).split('\\').join('/'));
}

/** Every file's imports of other files of the repository, by path from the root. */
function importGraph(folders: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of folders.flatMap(sourceFiles)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    graph.set(
      file,
      importsOf(text).map((spec) =>
        normalize(join(dirname(file), spec))
          .split('\\')
          .join('/'),
      ),
    );
  }
  return graph;
}

const GRAPH = importGraph(['functions', 'infra']);

type PathTest = (path: string) => boolean;

/** Whether a path lies under one of the folders. */
const under =
  (...folders: string[]): PathTest =>
  (path) =>
    folders.some((folder) => path.startsWith(folder));

const not =
  (test: PathTest): PathTest =>
  (path) =>
    !test(path);

/** `file -> import` for each import of a file `from` takes in that lands where `to` says. */
function arrows(from: PathTest, to: PathTest): string[] {
  return [...GRAPH].flatMap(([file, targets]) =>
    from(file) ? targets.filter(to).map((target) => `${file} -> ${target}`) : [],
  );
}

/** The paths by which files under `from` reach files under `to`, through any files between. */
function reaches(from: string, to: string): string[] {
  const found: string[] = [];
  for (const start of GRAPH.keys()) {
    if (!start.startsWith(from)) continue;
    const cameFrom = new Map<string, string>([[start, '']]);
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (file.startsWith(to)) {
        const path = [file];
        for (let at = cameFrom.get(file); at; at = cameFrom.get(at)) path.unshift(at);
        found.push(path.join(' -> '));
        break;
      }
      for (const next of GRAPH.get(file) ?? [])
        if (!cameFrom.has(next)) {
          cameFrom.set(next, file);
          queue.push(next);
        }
    }
  }
  return found;
}

describe('the layout of functions/', () => {
  it('reads the import lines it judges, one-line, multi-line, type-only and lazy ones', () => {
    const text = [
      "import { a } from './a.ts';",
      'import {\n  b,\n  type C,\n} from "../b.ts";',
      "import type { D } from '../core/d.ts';",
      "export { e } from './e.ts';",
      "const { f } = await import('./f.ts');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.ts', '../b.ts', '../core/d.ts', './e.ts', './f.ts']);
    const edges = [...GRAPH.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(GRAPH.size).toBeGreaterThan(200);
    expect(edges).toBeGreaterThan(800);
  });

  it('nothing outside cli/ imports from cli/ (only the bin entry runs it, built)', () => {
    expect(arrows(not(under('functions/cli/')), under('functions/cli/'))).toEqual([]);
  });

  it('core/ imports nothing outside core/: it is the bottom floor', () => {
    expect(arrows(under('functions/core/'), not(under('functions/core/')))).toEqual([]);
  });

  it('core/fleet/ imports core/incidents/ and never the other way, not even through other files', () => {
    expect(arrows(under('functions/core/fleet/'), under('functions/core/incidents/'))).not.toEqual(
      [],
    );
    expect(reaches('functions/core/incidents/', 'functions/core/fleet/')).toEqual([]);
  });

  it('the storage adapters import nothing from the sources or the notifiers', () => {
    const plugIns = under('functions/sources/', 'functions/notifiers/');
    expect(arrows(under('functions/adapters/'), plugIns)).toEqual([]);
  });

  it('a source and a notifier import nothing of each other, and one source nothing of another', () => {
    expect(arrows(under('functions/sources/'), under('functions/notifiers/'))).toEqual([]);
    expect(arrows(under('functions/notifiers/'), under('functions/sources/'))).toEqual([]);
    for (const vendor of readdirSync(join(ROOT, 'functions/sources'))) {
      const own = under(`functions/sources/${vendor}/`);
      expect(arrows(own, (path) => under('functions/sources/')(path) && !own(path))).toEqual([]);
    }
  });

  it("the health report's model imports only core/ and itself: it renders and reads nothing", () => {
    const model = under('functions/health-report/model/');
    expect(arrows(model, not(under('functions/core/', 'functions/health-report/model/')))).toEqual(
      [],
    );
  });

  it('every import of a .ts file names one that is there, so no rule above passes by misreading', () => {
    expect(
      arrows(
        () => true,
        (target) => target.endsWith('.ts') && !GRAPH.has(target),
      ),
    ).toEqual([]);
  });
});
