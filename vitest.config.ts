import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['api/**/*.test.ts', 'geo/**/*.test.ts', 'scripts/**/*.test.ts', 'screen/**/*.test.ts'],
    // One loaded fixture database per run, cloned by each test file (see api/test/global-setup.ts).
    globalSetup: ['api/test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
  },
})
