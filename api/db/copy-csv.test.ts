import { describe, expect, it } from 'vitest'
import { csvLines } from './copy-csv.ts'

const cols = [
  { name: 'id', type: 'int4' }, { name: 'name', type: 'text' }, { name: 'note', type: 'text' }, { name: 'ok', type: 'bool' },
  { name: 'ids', type: '_int4' }, { name: 'items', type: 'jsonb' }, { name: 'geom', type: 'geometry' }, { name: 'gone', type: 'text' },
]
const row = { id: 7, name: '王"小"二, 户主', note: '', ok: false, ids: [1, 2], items: { a: '"x"\\' }, geom: 'SRID=4326;POINT(117 35)' }

// (loaded through COPY on both engines in migrate.test.ts)
describe('CSV lines for COPY', () => {
  it('quotes every value, keeps NULL apart from the empty string, and writes arrays and JSON as PostgreSQL reads them', () => {
    expect(csvLines([row], cols)).toBe('7,"王""小""二, 户主","",f,"{1,2}","{""a"":""\\""x\\""\\\\""}","SRID=4326;POINT(117 35)",\n')
  })
})
