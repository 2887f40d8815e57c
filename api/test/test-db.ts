import { readFileSync } from 'node:fs'
import pg from 'pg'
import { inject } from 'vitest'
import type { Db } from '../db/types.ts'
import { openPglite } from '../db/pglite.ts'
import { openPostgres } from '../db/postgres.ts'
import { withDatabase } from './pg-url.ts'

let counter = 0

/** A private copy of the loaded fixture database, on whichever engine this run uses. */
export function openFixtureDb(): Promise<Db> {
  return openClone(inject('fixtureDb'))
}

/** A private database with the migrated schema and no data at all, as a system started empty (FIXTURES_DIR=none) first sees it. */
export function openEmptyDb(): Promise<Db> {
  return openClone(inject('emptyDb'))
}

async function openClone(fixture: ReturnType<typeof inject<'fixtureDb'>>): Promise<Db> {
  if (fixture.engine === 'pglite') {
    const dump = new Blob([readFileSync(fixture.dumpPath)])
    return openPglite({ loadDataDir: dump })
  }
  const url = process.env.DATABASE_URL!
  const clone = `${fixture.template}_c${process.pid}_${++counter}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    // Two workers cloning one template at the same moment can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(clone)} TEMPLATE ${pg.escapeIdentifier(fixture.template)}`)
        break
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 250))
      }
    }
  } finally {
    await admin.end()
  }
  const db = await openPostgres({ connectionString: withDatabase(url, clone) })
  const close = db.close.bind(db)
  db.close = async () => {
    await close()
    const a = new pg.Client({ connectionString: url })
    await a.connect()
    await a.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(clone)} WITH (FORCE)`).finally(() => a.end())
  }
  return db
}
