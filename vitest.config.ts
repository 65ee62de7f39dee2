import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The heavy fault runs have their own command: npm run test:faults.
    exclude: ['test/faults/**', '**/node_modules/**'],
    // The CLI tests run bin/depot-watch.mjs, which runs the built JavaScript: build it first,
    // once per run, so no test ever runs a build older than the sources.
    // Then one temp folder for the run, removed at its end (test/setup/run-temp-folder.ts).
    globalSetup: ['scripts/build-cli.mjs', 'test/setup/run-temp-folder.ts'],
    // A file per core: Vitest leaves one core free by default, which on a 2-core runner runs
    // every file one after another (5.5 min instead of under 4).
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
