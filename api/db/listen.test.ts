import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from './types.ts'
import { openFixtureDb } from '../test/test-db.ts'

// Live pushes (truck positions, alerts, tile invalidation) ride on LISTEN/NOTIFY, so the
// listening session must come back by itself when PostgreSQL drops it.
let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

const until = async (pred: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('LISTEN', () => {
  it('hears NOTIFY after commit, and again after the listening session was killed', async () => {
    const heard: string[] = []
    await db.listen('listen_test', (p) => heard.push(p))
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('listen_test', 'in a transaction')")
      await new Promise((r) => setTimeout(r, 200))
      // not before commit
      expect(heard).toEqual([])
    })
    await until(() => heard.includes('in a transaction'))
    if (db.engine === 'postgres') {
      // as a server restart or a dropped connection would
      const killed = await db.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`,
      )
      expect(killed.rows[0].n).toBe(1)
      let n = 0
      await until(() => {
        void db.query(`SELECT pg_notify('listen_test', 'after ${++n}')`)
        return heard.some((h) => h.startsWith('after'))
      })
    }
  })
})
