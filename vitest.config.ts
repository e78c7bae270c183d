import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core CI machine: two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
