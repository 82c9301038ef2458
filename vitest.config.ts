import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One embedded database server per test run; each file gets its own database (test/support/db.ts).
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: integration files share one Java server, keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
