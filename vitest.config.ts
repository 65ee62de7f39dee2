import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run bin/depot-watch.mjs, which runs the built JavaScript: build it first,
    // once per run, so no test ever runs a build older than the sources.
    globalSetup: ['scripts/build-cli.mjs'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
