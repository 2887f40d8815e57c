import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { makeIdNumber } from '../../geo/id-number.ts'
import { getStats } from '../stats/repository.ts'

// Households waiting to be placed (待落图, migration 038): no point, and perhaps no grid yet, only
// a village. Every reader of households must take them: the map layers leave them out, the
// records, search, scope checks, visits, splits, ledgers and the figures keep working.
let t: TestApp
let grid: { id: number; village_id: number }
let withGrid: number
let noGrid: number
let residentNoGrid: number
const born = '1980-05-06'
beforeAll(async () => {
  t = await openTestApp()
  grid = (await t.db.query<{ id: number; village_id: number }>(`SELECT id, village_id FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1 OFFSET 12`)).rows[0]
  const insert = async (gridId: number | null, code: string, address: string) => (await t.db.query<{ id: number }>(
    `INSERT INTO households (grid_id, village_id, code, address, house_number, geom) VALUES ($1, $2, $3, $4, '9', NULL) RETURNING id`,
    [gridId, grid.village_id, code, address])).rows[0].id
  withGrid = await insert(grid.id, 'T-0001', '待落图测试路一组9号')
  noGrid = await insert(null, 'T-0002', '待落图测试路二组9号')
  const person = async (household: number, seq: number, name: string) => (await t.db.query<{ id: number }>(
    `INSERT INTO residents (household_id, name, gender, birth_date, id_number, relation) VALUES ($1, $2, '男', $3, $4, '户主') RETURNING id`,
    [household, name, born, makeIdNumber('371326', born, seq)])).rows[0].id
  await person(withGrid, 901, '落图甲')
  residentNoGrid = await person(noGrid, 903, '落图乙')
  await person(noGrid, 905, '落图丙')
  await t.db.query(`INSERT INTO resident_tags (resident_id, kind, tag) VALUES ($1, 'care', '独居老人')`, [residentNoGrid])
})
afterAll(async () => t?.close())

const cadre = () => `cadre-${grid.village_id}`
const gw = () => `gw-${grid.id}`

describe('households without a point', () => {
  it('are left out of the map layers (GeoJSON of a grid, tiles), which stay whole', async () => {
    for (const who of ['admin', 'display', gw()]) {
      const res = await t.as(who, `/api/households?grid=${grid.id}`)
      expect(res.statusCode, res.body).toBe(200)
      const features = res.json().features as { id: number; geometry: { type: string } | null }[]
      expect(features.length).toBeGreaterThan(10)
      expect(features.every((f) => f.geometry?.type === 'Point')).toBe(true)
      expect(features.some((f) => f.id === withGrid)).toBe(false)
    }
    const tile = await t.as('admin', '/api/tiles/households/14/13530/6480.mvt')
    expect(tile.statusCode).toBe(200)
  })

  it('open as records without a location, in their village for its cadre, in the grid for its worker', async () => {
    const a = await t.as(cadre(), `/api/households/${noGrid}`)
    expect(a.statusCode, a.body).toBe(200)
    expect(a.json()).toMatchObject({ id: noGrid, gridId: null, villageId: grid.village_id, code: 'T-0002', location: null })
    expect(a.json().members).toHaveLength(2)
    const b = await t.as(gw(), `/api/households/${withGrid}`)
    expect(b.statusCode, b.body).toBe(200)
    expect(b.json()).toMatchObject({ gridId: grid.id, location: null })
    // a household with no grid is nobody's grid: not a grid worker's to read
    expect((await t.as(gw(), `/api/households/${noGrid}`)).statusCode).toBe(403)
    // the wall's card does not carry the register's number
    expect((await t.as('display', `/api/households/${withGrid}`)).json().code).toBeNull()
    const r = await t.as(cadre(), `/api/residents/${residentNoGrid}`)
    expect(r.statusCode, r.body).toBe(200)
    expect(r.json()).toMatchObject({ householdId: noGrid, gridId: null, villageId: grid.village_id })
  })

  it('take new residents, corrections and splits; a duplicate ID number held there is named in scope', async () => {
    const idNumber = makeIdNumber('371326', '2026-09-01', 907)
    const reg = await t.as(cadre(), { method: 'POST', url: '/api/residents', payload: { householdId: noGrid, name: '落图丁', idNumber, gender: '男', birthDate: '2026-09-01', relation: '孙子', event: 'birth' } })
    expect(reg.statusCode, reg.body).toBe(201)
    const fix = await t.as(cadre(), { method: 'PATCH', url: `/api/residents/${reg.json().id}`, payload: { relation: '孙子女' } })
    expect(fix.statusCode, fix.body).toBe(200)
    const again = await t.as(cadre(), { method: 'POST', url: '/api/residents', payload: { householdId: withGrid, name: '落图丁', idNumber, gender: '男', birthDate: '2026-09-01', relation: '子女' } })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'id_number_taken', householdId: noGrid })
    const split = await t.as(cadre(), { method: 'POST', url: `/api/households/${noGrid}/split`, payload: { residentIds: [reg.json().id], address: '待落图测试路二组10号', houseNumber: '10' } })
    expect(split.statusCode, split.body).toBe(201)
    expect(split.json().gridId).toBeNull()
    const made = (await t.db.query<{ village_id: number; geom: unknown }>('SELECT village_id, geom FROM households WHERE id = $1', [split.json().id])).rows[0]
    expect(made).toEqual({ village_id: grid.village_id, geom: null })
  })

  it('are found by search, opening their village', async () => {
    const res = await t.as(cadre(), `/api/search?q=${encodeURIComponent('待落图测试路二组')}`)
    expect(res.statusCode).toBe(200)
    const hit = (res.json().hits as { householdId: number | null; scope: string }[]).find((h) => h.householdId === noGrid)
    expect(hit?.scope).toBe(`village:${grid.village_id}`)
    const person = await t.as(cadre(), `/api/search?q=${encodeURIComponent('落图乙')}`)
    expect((person.json().hits as { householdId: number }[]).map((h) => h.householdId)).toContain(noGrid)
  })

  it('are visited once they have a grid; without one the visit is refused plainly (409), not a 500', async () => {
    const refused = await t.as(cadre(), { method: 'POST', url: '/api/household-visits', payload: { householdId: noGrid } })
    expect(refused.statusCode, refused.body).toBe(409)
    expect(refused.json().code).toBe('household_unplaced')
    const visit = await t.as(gw(), { method: 'POST', url: '/api/household-visits', payload: { householdId: withGrid } })
    expect(visit.statusCode, visit.body).toBe(201)
    expect(visit.json().gridId).toBe(grid.id)
  })

  it('leave ledgers, figures, league tables and the map cards answering, the roll-ups equal to a recount', async () => {
    for (const [who, url] of [
      [cadre(), '/api/ledgers'], [cadre(), `/api/ledgers?village=${grid.village_id}`], ['admin', '/api/villages'], ['admin', `/api/grids?village=${grid.village_id}`],
      ['admin', '/api/towns'], ['leader', `/api/stats?scope=village:${grid.village_id}`], ['leader', `/api/stats?scope=grid:${grid.id}`],
      ['leader', `/api/work-orders/kpis?scope=village:${grid.village_id}`], ['leader', '/api/work-orders/rankings?days=30'],
    ] as const) {
      const res = await t.as(who, url)
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200)
    }
    for (const scope of [{ kind: 'village' as const, id: grid.village_id }, { kind: 'grid' as const, id: grid.id }]) {
      expect(await getStats(t.db, scope, { keyGroupDetail: true })).toEqual(await getStats(t.db, scope, { keyGroupDetail: true, live: true }))
    }
    // a household with a grid and no point counts in its grid; one with no grid in none until placed
    const [row] = (await t.db.query<{ n: number }>('SELECT households AS n FROM grid_rollup WHERE grid_id = $1', [grid.id])).rows
    const [count] = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM households WHERE grid_id = $1', [grid.id])).rows
    expect(row.n).toBe(count.n)
  })
})
