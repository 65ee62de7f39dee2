// Builds the depot-watch CLI to JavaScript: functions/cli/main.ts → dist/cli/main.mjs.
// Plain JavaScript on purpose: it runs from `prepare` (npm ci, npm install) before anything could
// load TypeScript, and as vitest's globalSetup so no test ever runs a stale build.
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the built CLI goes; bin/depot-watch.mjs imports main.mjs from here. */
export const OUT_DIR = join(ROOT, 'dist', 'cli');
// A stale chunk is removed only once it is this old: a CLI process started from the previous
// build (another test run in the same checkout) may still lazily import it.
const STALE_AFTER_MS = 60 * 60 * 1000;

/** Bundles the CLI into OUT_DIR and returns the files written, relative to the repository. */
export async function buildCli() {
  const { build } = await importEsbuild();
  const result = await build({
    entryPoints: { main: join(ROOT, 'functions/cli/main.ts') },
    outdir: OUT_DIR,
    bundle: true,
    // node_modules stay external: Node loads them as installed, and vega stays out of the bundle.
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Splitting keeps `await import('./html/render-report.ts')` a lazy chunk; without it esbuild would
    // inline the module and hoist its vega imports to the top, loaded by every command.
    splitting: true,
    // Chunks sit beside main.mjs, two folders under the root as functions/cli/ is, so a path
    // relative to import.meta.url (help.ts reads ../../package.json) resolves the same from any.
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    // Stack traces name the TypeScript lines (bin/ enables source maps); the sources themselves
    // are in the repository, so the map need not carry them.
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'warning',
  });
  await mkdir(OUT_DIR, { recursive: true });
  // Each file is written beside its place and renamed over it, so a CLI starting meanwhile reads
  // the old file or the new one, never half of one; main.mjs last, once its chunks are there.
  const files = [...result.outputFiles].sort(
    (a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)),
  );
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  await removeStale(new Set(files.map((f) => f.path)));
  return files.map((f) => relative(ROOT, f.path));
}

/** vitest's globalSetup: builds the CLI once before the tests run it through bin/. */
export async function setup() {
  await buildCli();
}

// esbuild is a devDependency: an install without them (npm ci --omit=dev) still runs `prepare`,
// and should say why there is no CLI rather than fail the whole install.
async function importEsbuild() {
  try {
    return await import('esbuild');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || process.env.npm_lifecycle_event !== 'prepare')
      throw error;
    console.warn('depot-watch: esbuild is not installed (devDependencies omitted?); CLI not built');
    process.exit(0);
  }
}

function isEntry(path) {
  return /[/\\]main\.mjs(\.map)?$/.test(path);
}

async function removeStale(current) {
  const now = Date.now();
  for (const name of await readdir(OUT_DIR)) {
    const path = join(OUT_DIR, name);
    if (current.has(path)) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
    if (now - mtimeMs > STALE_AFTER_MS) await rm(path, { force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const files = await buildCli();
  const ms = Math.round(performance.now() - started);
  // --quiet where the build is a step before something else (npm start), whose output it is.
  if (!process.argv.includes('--quiet'))
    console.log(`depot-watch: built ${files.length} files in ${dirname(files[0])}/ (${ms} ms)`);
}
