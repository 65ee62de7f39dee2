import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { type BrowserContext, chromium } from 'playwright-core';

/** Names a browser the tests should use, ahead of every other place. */
export const BROWSER_VARIABLE = 'DEPOT_WATCH_CHROMIUM';

/** Commands that start Chromium or Chrome when they are on the PATH. */
const COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const isExecutable = async (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * The first executable of the candidates. A snap's Chromium is passed over: its confinement keeps
 * it from the temporary folders the tests write the report and the profile to.
 */
async function firstExecutable(candidates: string[]): Promise<string | undefined> {
  for (const path of candidates) {
    if (!path.startsWith('/snap/') && (await isExecutable(path))) return path;
  }
  return undefined;
}

/**
 * The Chromium that `@sparticuz/chromium` ships brotli-compressed in its npm tarball (Linux x64
 * only), inflated once into node_modules/.cache; a rename makes the file appear whole, so test
 * files starting together never run a half-written binary.
 */
async function packagedChromium(): Promise<string | undefined> {
  if (platform() !== 'linux' || arch() !== 'x64') return undefined;
  const modules = join(import.meta.dirname, '..', '..', 'node_modules');
  const root = join(modules, '@sparticuz', 'chromium');
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const compressed = join(root, 'bin', 'chromium.br');
  const target = join(modules, '.cache', `chromium-${version}`, 'chromium');
  if (await isExecutable(target)) return target;
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  await pipeline(
    createReadStream(compressed),
    createBrotliDecompress(),
    createWriteStream(partial),
  );
  await chmod(partial, 0o755);
  await rename(partial, target);
  return target;
}

/**
 * A Chromium to run the browser tests in, looked for in this order: `DEPOT_WATCH_CHROMIUM`, the
 * PATH, and last the one an npm package ships, so that `npm ci && npm
 * test` needs no browser installed by hand.
 */
export async function findChromium(): Promise<string> {
  const named = process.env[BROWSER_VARIABLE];
  if (named) {
    if (await isExecutable(named)) return named;
    throw new Error(`${BROWSER_VARIABLE} names ${named}, which is not an executable file`);
  }
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((folder) => COMMANDS.map((command) => join(folder, command)));
  const found = (await firstExecutable(onPath)) ?? (await packagedChromium());
  if (found) return found;
  throw new Error(
    `no Chromium or Chrome found on ${platform()} ${arch()}: install one, or name it in ${BROWSER_VARIABLE}`,
  );
}

/**
 * Flags for a quiet, offline-by-default headless Chromium: no GPU or sandbox (containers, root
 * in CI), and none of the background traffic that would muddy a test counting requests.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a fresh profile, and how to close it and remove the profile. */
export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts a headless Chromium on a fresh user-data-dir, so no state leaks between runs. */
export async function launchChromium(): Promise<HeadlessChromium> {
  const executablePath = await findChromium();
  const profile = await mkdtemp(join(tmpdir(), 'depot-watch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
