// A seed for fresh PGlite data directories: the database right after the migrations and the
// fixtures, dumped once (a gzipped data-dir tarball) and kept under node_modules/.cache. A
// fresh start from it was up in 12.3 s instead of 32.4 s here (initdb, CREATE EXTENSION postgis, the
// migrations and 134,550 fixture rows), which the test suites pay for every system they start
// on a fresh directory. Only asked for (PGLITE_SEED=1): a first start on a new machine always
// takes the real path, and the key below makes a seed from other migrations or other fixtures
// invisible rather than wrong. The seed keeps the fixtures' times as they were when it was dumped
// (as generated, or moved to its day); a system started from it moves them on to its own today
// before its first account (moveRestoredFixtures), so it is not keyed by the day.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { listMigrations } from './migrate.ts'
import { FIXTURES_DIR } from './fixtures.ts'
import type { Db } from './types.ts'
import { isPgliteDb } from './pglite.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const CACHE_DIR = join(ROOT, 'node_modules/.cache/shuzhi-grid')

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** what the seeded database is made of: engine build, every migration's text, the loader and its time shift, the fixtures' manifest (their checksums) */
export function seedKey(fixturesDir = FIXTURES_DIR): string {
  const h = createHash('sha256')
  h.update(`pglite ${packageVersion('@electric-sql/pglite')} postgis ${packageVersion('@electric-sql/pglite-postgis')}\n`)
  for (const m of listMigrations()) h.update(`${m.name}\n${m.sql}\n`)
  h.update(readFileSync(new URL('./fixtures.ts', import.meta.url)))
  h.update(readFileSync(new URL('./fixture-times.ts', import.meta.url)))
  h.update(readFileSync(join(fixturesDir, 'manifest.json')))
  return h.digest('hex').slice(0, 16)
}

export function seedPath(fixturesDir = FIXTURES_DIR): string {
  return join(CACHE_DIR, `pglite-seed-${seedKey(fixturesDir)}.tar.gz`)
}

/** the seed for the current migrations and fixtures, if one was made */
export function readSeed(fixturesDir = FIXTURES_DIR): Blob | undefined {
  const path = seedPath(fixturesDir)
  return existsSync(path) ? new Blob([readFileSync(path)]) : undefined
}

/** Dumps a migrated, fixture-loaded PGlite database (before any account exists) as the seed. */
export async function writeSeed(db: Db, fixturesDir = FIXTURES_DIR): Promise<string | null> {
  if (!isPgliteDb(db)) return null
  const path = seedPath(fixturesDir)
  const dump = Buffer.from(await (await db.dump()).arrayBuffer())
  mkdirSync(CACHE_DIR, { recursive: true })
  // several processes may write it at once: each writes its own file, the rename is atomic
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, dump)
  renameSync(tmp, path)
  return path
}

/** a data directory PGlite has never opened */
export function isFreshDataDir(dataDir: string): boolean {
  return !existsSync(join(dataDir, 'PG_VERSION'))
}
