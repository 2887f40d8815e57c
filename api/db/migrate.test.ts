import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from './types.ts'
import { listMigrations, migrate } from './migrate.ts'
import { openFixtureDb } from '../test/test-db.ts'

let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

describe('migrations', () => {
  it('are recorded once and not applied again', async () => {
    const names = listMigrations().map((m) => m.name)
    const recorded = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')
    expect(recorded.rows.map((r) => r.name)).toEqual(names)
    expect(await migrate(db)).toEqual([])
  })

  // The fix history is read by vehicle and time (its primary key), never by area; a GiST
  // index there would tax every one of thousands of inserts a second for no query.
  const TIME_SERIES = new Set(['vehicle_positions'])

  it('give every geometry column a GiST index (the fix history aside)', async () => {
    const r = await db.query<{ t: string; c: string }>(
      `SELECT f_table_name AS t, f_geometry_column AS c FROM geometry_columns
        WHERE f_table_schema = current_schema()`,
    )
    const idx = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()`)
    for (const { t } of r.rows) {
      if (TIME_SERIES.has(t)) continue
      const gist = new RegExp(`ON (\\w+\\.)?${t} USING gist`, 'i')
      expect(idx.rows.some((i) => gist.test(i.indexdef)), t).toBe(true)
    }
    expect(r.rows.length).toBeGreaterThan(5)
  })
})
