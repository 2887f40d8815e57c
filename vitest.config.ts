import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * Tests that measure how the API answers while it chews on a hostile file (event-loop delay,
 * /api/health latency, RSS) run alone, after the rest: on two cores, another test file's
 * worker beside them would measure that file, not the import.
 */
const ALONE = ['api/work-orders/hotline-import-bomb.test.ts', 'api/imports/table-reader.test.ts', 'api/photos/pixel-bomb.test.ts']

/**
 * Test files share their worker's module cache (isolate: false): a fresh process and a fresh
 * import of the server for each of ~70 files cost ~2 minutes of a CI run, and PGlite's compiled
 * WASM is kept between files. Files that replace a module or a global (vi.mock, vi.stubGlobal)
 * would leak that into the next file, so they run isolated; they are found by reading them.
 */
const MOCKING = /\bvi\.(mock|doMock|stubGlobal|stubEnv)\(/
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' || e.name.startsWith('.') ? [] : e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  )
}
const ROOT = fileURLToPath(new URL('.', import.meta.url))
const ISOLATED = ['api', 'geo', 'scripts', 'screen']
  .flatMap((dir) => testFiles(join(ROOT, dir)))
  .filter((f) => MOCKING.test(readFileSync(f, 'utf8')))
  .map((f) => relative(ROOT, f))
  .filter((f) => !ALONE.includes(f))

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
          exclude: [...ALONE, ...ISOLATED],
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
})
