import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A helper process started for a benchmark, and the JSON line it announced itself with. */
export interface Child<T> {
  info: T;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `bench/processes/<name>.ts` in its own Node process (so it does not share a core's
 * time with what is measured) and waits for the one JSON line it prints when ready. `nodeArgs`
 * go before the script, `env` is added to the environment.
 */
export function startChild<T>(
  name: string,
  options: unknown,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Child<T>> {
  const child = spawnHelper(name, options, nodeArgs, env, 'pipe');
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code} before it was ready`)),
    );
    lines.once('line', (line) => {
      child.removeAllListeners('exit');
      resolve({
        info: JSON.parse(line) as T,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/**
 * Runs a helper to completion and returns the JSON line it printed last. `env` is added to
 * the helper's environment (a TMPDIR of the caller's, say, for a helper that may die before it
 * cleans up).
 */
export function runChild<T>(
  name: string,
  options: unknown,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<T> {
  const child = spawnHelper(name, options, nodeArgs, env, 'ignore');
  let last = '';
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.trim()) last = line;
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(last) as T)
        : reject(new Error(`${name} exited with ${code}`)),
    );
  });
}

/**
 * `bench/processes/<name>.ts` under tsx with `nodeArgs` before it and `env` added; stdout is
 * piped, stderr shared. A long-lived helper gets a piped stdin, whose end tells it to stop.
 */
function spawnHelper(
  name: string,
  options: unknown,
  nodeArgs: readonly string[],
  env: Record<string, string>,
  stdin: 'pipe' | 'ignore',
) {
  return spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', `bench/processes/${name}.ts`, JSON.stringify(options)],
    {
      stdio: [stdin, 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    },
  );
}
