import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** The system's Chromium (`apt-get install -y chromium`); playwright-core brings no browser. */
export const CHROMIUM = '/usr/bin/chromium';

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

/** Starts the system's Chromium headless on a fresh user-data-dir, so no state leaks between runs. */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'depot-watch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
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
