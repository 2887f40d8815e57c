import { defineConfig } from 'vitest/config'

/**
 * Tests that measure how the API answers while it chews on a hostile file (event-loop delay,
 * /api/health latency, RSS) run alone, after the rest: on two cores, another test file's
 * worker beside them would measure that file, not the import.
 */
const ALONE = ['api/work-orders/hotline-import-bomb.test.ts', 'api/imports/table-reader.test.ts', 'api/photos/pixel-bomb.test.ts']

export default defineConfig({
  test: {
    // One loaded fixture database per run, cloned by each test file (see api/test/global-setup.ts).
    globalSetup: ['api/test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['api/**/*.test.ts', 'geo/**/*.test.ts', 'scripts/**/*.test.ts', 'screen/**/*.test.ts'],
          exclude: ALONE,
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
