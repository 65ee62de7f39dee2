import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the whole test run one temp folder and removes it at the end: synthesised stacks,
 * s3rver buckets, demo folders and CLI work folders (hundreds of MB a run) go with it, even
 * those of a test that failed before its own clean-up. Workers and the processes they start
 * inherit TMPDIR, which `os.tmpdir()` reads on every call.
 */
export function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'depot-watch-test-run-'));
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
