import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from './types.ts'
import { listMigrations, migrate } from './migrate.ts'
import { openFixtureDb } from '../test/test-db.ts'
import { csvLines } from './copy-csv.ts'

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

// The fixture loader's COPY path (PostgreSQL; PGlite reads the same CSV from /dev/blob), here on
// this test run's engine: NULL apart from '', arrays, JSON with quotes and backslashes, EWKT.
describe('COPY of CSV lines', () => {
  const cols = [
    { name: 'id', type: 'int4' }, { name: 'name', type: 'text' }, { name: 'note', type: 'text' }, { name: 'ok', type: 'bool' },
    { name: 'ids', type: '_int4' }, { name: 'items', type: 'jsonb' }, { name: 'geom', type: 'geometry' }, { name: 'gone', type: 'text' },
  ]
  const row = { id: 7, name: '王"小"二, 户主', note: '', ok: false, ids: [1, 2], items: { a: '"x"\\' }, geom: 'SRID=4326;POINT(117 35)' }
  it('load through COPY on this engine as they were written', async () => {
    await db.transaction(async (tx) => {
      await tx.exec('CREATE TEMP TABLE copy_probe (id int, name text, note text, ok bool, ids int[], items jsonb, geom geometry(Point, 4326), gone text)')
      await tx.copyCsv(`COPY copy_probe (${cols.map((c) => c.name).join(', ')}) FROM STDIN WITH (FORMAT csv)`, csvLines([row, { id: 8 }], cols))
      const back = (await tx.query<Record<string, unknown>>(`SELECT id, name, note, ok, ids, items, ST_AsEWKT(geom) AS geom, gone FROM copy_probe ORDER BY id`)).rows
      expect(back).toEqual([
        { ...row, gone: null },
        { id: 8, name: null, note: null, ok: null, ids: null, items: null, geom: null, gone: null },
      ])
    })
  })
})
