import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const BIN = resolve('bin/depot-watch.mjs');
const run = promisify(execFile);

/**
 * Runs the CLI as a user would, returning its exit code and output instead of throwing.
 * Credentials are blank unless `env` gives them, so no test picks up a developer's own;
 * `unset` names variables to remove altogether (a blank one is not a missing one).
 */
export async function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; unset?: readonly string[] } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEPOT_WATCH_CLIENT_ID: '',
    DEPOT_WATCH_CLIENT_SECRET: '',
    ...options.env,
  };
  for (const name of options.unset ?? []) delete env[name];
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { cwd: options.cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
