#!/usr/bin/env node
// Runs the CLI built to JavaScript (scripts/build-cli.mjs, run by npm ci, npm install and
// npm run build): no TypeScript loader at run time, so the command starts fast.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.mjs', import.meta.url);
if (!existsSync(built)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`depot-watch: the CLI is not built; run \`npm run build\` in ${root}\n`);
  process.exit(1);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Stack traces (DEPOT_WATCH_DEBUG) then name the TypeScript files and lines, not the bundle's.
process.setSourceMapsEnabled(true);
// `depot-watch incidents | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
