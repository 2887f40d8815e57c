import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openPglite, isPgliteDb } from '../db/pglite.ts'
import { openPostgres } from '../db/postgres.ts'
import { migrate } from '../db/migrate.ts'
import { loadFixtures } from '../db/fixtures.ts'
import { writeSeed } from '../db/seed.ts'
import { ensureDemoAccounts } from '../auth/demo-accounts.ts'
import { TEST_PASSWORD } from './password.ts'
import { withDatabase } from './pg-url.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    fixtureDb: Fixture
    /** the same schema with no data at all: a system started empty (FIXTURES_DIR=none) before its first start-up step */
    emptyDb: Fixture
  }
}

/**
 * Loading the township takes tens of seconds on PGlite, so it happens once per run:
 * PGlite's data directory is dumped to a tarball, or PostgreSQL gets a template
 * database, and every test file clones it (see test-db.ts).
 */
type Fixture = { engine: 'pglite'; dumpPath: string } | { engine: 'postgres'; template: string }

// The run has two test projects (vitest.config.ts); each calls its global setup, in this one
// process. The first call loads the township; the others share it; the last teardown cleans up.
type Loaded = { fixture: Fixture; empty: Fixture; teardown: () => Promise<void> | void }
const shared = globalThis as unknown as { __shuzhiFixture?: { loading: Promise<Loaded>; users: number } }

export default async function setup(project: TestProject) {
  const s = (shared.__shuzhiFixture ??= { loading: load(), users: 0 })
  s.users++
  const { fixture, empty, teardown } = await s.loading
  project.provide('fixtureDb', fixture)
  project.provide('emptyDb', empty)
  return async () => {
    if (--s.users === 0) {
      delete shared.__shuzhiFixture
      await teardown()
    }
  }
}

async function load(): Promise<Loaded> {
  const started = Date.now()
  const url = process.env.DATABASE_URL
  if (url) {
    const template = `shuzhi_tpl_${process.pid}_${Date.now().toString(36)}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`)
    // the migrated schema alone, before any data (its name shares the prefix the teardown drops)
    const emptyTemplate = `${template}_empty`
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(emptyTemplate)}`)
    const empty = await openPostgres({ connectionString: withDatabase(url, emptyTemplate), statementTimeoutMs: 0 })
    await migrate(empty)
    await empty.close()
    const db = await openPostgres({ connectionString: withDatabase(url, template), statementTimeoutMs: 0 })
    await migrate(db)
    await loadFixtures(db)
    await ensureDemoAccounts(db, TEST_PASSWORD)
    await db.close()
    console.log(`[global-setup] PostgreSQL template ${template} loaded in ${Date.now() - started} ms`)
    return {
      fixture: { engine: 'postgres', template },
      empty: { engine: 'postgres', template: emptyTemplate },
      teardown: async () => {
        // Clones are dropped by their test files; the template last.
        const clones = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${template}%`])
        for (const { datname } of clones.rows) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`)
        await admin.end()
      },
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-fixture-'))
  const db = await openPglite()
  await migrate(db)
  if (!isPgliteDb(db)) throw new Error('expected PGlite')
  // the migrated schema alone, before any data: ~1 s to dump, and no test file migrates its own
  const emptyPath = join(dir, 'empty.tar.gz')
  writeFileSync(emptyPath, Buffer.from(await (await db.dump()).arrayBuffer()))
  await loadFixtures(db)
  // the seed the e2e and soak systems start their fresh data dirs from (PGLITE_SEED=1), before
  // any account: ~5 s here instead of a full first start (~35 s beside kill -9) in the soak
  await writeSeed(db)
  await ensureDemoAccounts(db, TEST_PASSWORD)
  const dump = await db.dump()
  const dumpPath = join(dir, 'fixture.tar.gz')
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()))
  await db.close()
  console.log(`[global-setup] PGlite fixture database loaded in ${Date.now() - started} ms`)
  return { fixture: { engine: 'pglite', dumpPath }, empty: { engine: 'pglite', dumpPath: emptyPath }, teardown: () => rmSync(dir, { recursive: true, force: true }) }
}
