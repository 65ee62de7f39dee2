import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** The heavy fault runs: every crash point, several seeds, long windows (`npm run test:faults`). */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // One at a time: each fault run keeps the cores busy with the processes it starts and kills.
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
