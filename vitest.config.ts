import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: a couple of workers keep PGlite instances and Chromium from fighting over memory and CPU.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
