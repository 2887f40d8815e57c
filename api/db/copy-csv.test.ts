import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csvLines } from './copy-csv.ts'
import type { Db } from './types.ts'
import { openFixtureDb } from '../test/test-db.ts'

let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

const cols = [
  { name: 'id', type: 'int4' }, { name: 'name', type: 'text' }, { name: 'note', type: 'text' }, { name: 'ok', type: 'bool' },
  { name: 'ids', type: '_int4' }, { name: 'items', type: 'jsonb' }, { name: 'geom', type: 'geometry' }, { name: 'gone', type: 'text' },
]
const row = { id: 7, name: '王"小"二, 户主', note: '', ok: false, ids: [1, 2], items: { a: '"x"\\' }, geom: 'SRID=4326;POINT(117 35)' }

describe('CSV lines for COPY', () => {
  it('quotes every value, keeps NULL apart from the empty string, and writes arrays and JSON as PostgreSQL reads them', () => {
    expect(csvLines([row], cols)).toBe('7,"王""小""二, 户主","",f,"{1,2}","{""a"":""\\""x\\""\\\\""}","SRID=4326;POINT(117 35)",\n')
  })

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
