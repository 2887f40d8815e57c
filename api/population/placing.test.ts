import gcoord from 'gcoord'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { getStats } from '../stats/repository.ts'
import { makeIdNumber } from '../../geo/id-number.ts'

// 待落图: the households waiting for a point, listed for those who place them, and placed (一标三实)
// by a grid worker at the door or a cadre on the map; the roll-ups follow.
let t: TestApp
type Grid = { id: number; village_id: number; lon: number; lat: number }
let a: Grid
let b: Grid
let w: Grid
const ids = { noGrid: 0, inA: 0, elsewhere: 0 }
beforeAll(async () => {
  t = await openTestApp()
  const grids = (await t.db.query<Grid>(
    `SELECT g.id, g.village_id, ST_X(p) AS lon, ST_Y(p) AS lat FROM grids g, ST_PointOnSurface(g.geom) p
      WHERE g.kind = 'base' AND NOT EXISTS (SELECT 1 FROM grids x WHERE x.id <> g.id AND ST_Covers(x.geom, p)) ORDER BY g.id`)).rows
  a = grids.find((g) => g.village_id === 7)!
  b = grids.find((g) => g.village_id === 7 && g.id !== a.id)!
  w = grids.find((g) => g.village_id === 8)!
  const insert = async (grid: number | null, village: number, code: string) => (await t.db.query<{ id: number }>(
    `INSERT INTO households (grid_id, village_id, code, address, house_number) VALUES ($1, $2, $3, $4, '3') RETURNING id`,
    [grid, village, code, `某镇某村${code}组3号`])).rows[0].id
  ids.noGrid = await insert(null, a.village_id, 'P-1')
  ids.inA = await insert(a.id, a.village_id, 'P-2')
  ids.elsewhere = await insert(null, w.village_id, 'P-3')
  await t.db.query(`INSERT INTO residents (household_id, name, gender, birth_date, id_number, relation) VALUES ($1, '落图人', '女', '1950-01-01', $2, '户主')`, [ids.noGrid, makeIdNumber('371326', '1950-01-01', 998)])
})
afterAll(async () => t?.close())

const list = async (who: string, query = '') => t.as(who, `/api/households?unplaced=1${query}`)
const codes = async (who: string, query = '') => ((await list(who, query)).json().items as { code: string }[]).map((h) => h.code).filter((c) => c.startsWith('P-')).sort()
const place = (who: string, id: number, body: Record<string, unknown>) => t.as(who, { method: 'PUT', url: `/api/households/${id}/location`, payload: body })
const expectRollupsExact = async (...grids: number[]) => {
  for (const id of grids) expect(await getStats(t.db, { kind: 'grid', id }, { keyGroupDetail: true })).toEqual(await getStats(t.db, { kind: 'grid', id }, { keyGroupDetail: true, live: true }))
}

describe('待落图', () => {
  it('lists the households waiting in the caller\'s scope, masked, with their grid if known and their members', async () => {
    const res = await list(`cadre-${a.village_id}`)
    expect(res.statusCode, res.body).toBe(200)
    const item = (res.json().items as { code: string }[]).find((h) => h.code === 'P-1')
    expect(item).toEqual({ id: ids.noGrid, code: 'P-1', address: '某镇某村P-1组*号', villageId: a.village_id, villageName: expect.any(String), gridId: null, gridName: null, residents: 1 })
    expect(await codes(`cadre-${a.village_id}`)).toEqual(['P-1', 'P-2'])
    // a grid worker: her grid's, and her village's that have no grid yet
    expect(await codes(`gw-${a.id}`)).toEqual(['P-1', 'P-2'])
    expect(await codes(`gw-${b.id}`)).toEqual(['P-1'])
    expect(await codes('admin')).toEqual(['P-1', 'P-2', 'P-3'])
    expect(await codes('admin', `&village=${w.village_id}`)).toEqual(['P-3'])
    expect(await codes('admin', '&q=P-2')).toEqual(['P-2'])
    expect((await list(`cadre-${a.village_id}`, `&village=${w.village_id}`)).statusCode).toBe(403)
    expect((await list(`gw-${a.id}`, `&village=${w.village_id}`)).statusCode).toBe(403)
    for (const who of ['leader', 'dispatcher', 'display']) expect((await list(who)).statusCode).toBe(403)
    expect((await t.as('admin', '/api/households')).statusCode).toBe(400)
  })

  it('is placed by a grid worker in her grid only; the same point or the same clientKey again changes nothing; the roll-ups follow', async () => {
    expect((await place(`gw-${b.id}`, ids.inA, { lon: b.lon, lat: b.lat })).statusCode).toBe(403)
    expect((await place(`gw-${a.id}`, ids.elsewhere, { lon: a.lon, lat: a.lat })).statusCode).toBe(403)
    const neighbour = await place(`gw-${a.id}`, ids.noGrid, { lon: b.lon, lat: b.lat })
    expect(neighbour.statusCode).toBe(403)
    expect(neighbour.json().message).toMatch(/outside your scope/)
    const nowhere = await place(`gw-${a.id}`, ids.noGrid, { lon: 100.5, lat: 30.5 })
    expect(nowhere.statusCode).toBe(422)
    expect(nowhere.json().code).toBe('outside_grids')

    const before = (await t.db.query<{ n: number }>('SELECT households AS n FROM grid_rollup WHERE grid_id = $1', [a.id])).rows[0].n
    const placed = await place(`gw-${a.id}`, ids.noGrid, { lon: a.lon, lat: a.lat, clientKey: 'place-P-1-aaaa' })
    expect(placed.statusCode, placed.body).toBe(200)
    expect(placed.json()).toMatchObject({ id: ids.noGrid, gridId: a.id, villageId: a.village_id, changed: true })
    expect((await t.db.query<{ n: number }>('SELECT households AS n FROM grid_rollup WHERE grid_id = $1', [a.id])).rows[0].n).toBe(before + 1)
    await expectRollupsExact(a.id)
    expect(await codes(`gw-${a.id}`)).toEqual(['P-2'])
    const replay = await place(`gw-${a.id}`, ids.noGrid, { lon: a.lon, lat: a.lat, clientKey: 'place-P-1-aaaa' })
    expect(replay.json()).toMatchObject({ gridId: a.id, changed: false })
    expect((await place(`gw-${a.id}`, ids.noGrid, { lon: a.lon, lat: a.lat })).json().changed).toBe(false)
    expect((await place(`gw-${b.id}`, ids.inA, { lon: b.lon, lat: b.lat, clientKey: 'place-P-1-aaaa' })).statusCode).toBe(403)
    const trail = (await t.db.query<{ kind: string; field: string; actor: string }>(
      'SELECT kind, field, actor FROM population_changes WHERE household_id = $1 ORDER BY id', [ids.noGrid])).rows
    expect(trail).toEqual([{ kind: 'update', field: 'location', actor: `gw-${a.id}` }, { kind: 'update', field: 'gridId', actor: `gw-${a.id}` }])
  })

  it('is placed by a cadre from a GCJ-02 point, and moved to another grid of her village; both grids count again', async () => {
    const [lon, lat] = gcoord.transform([a.lon, a.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number]
    const res = await place(`cadre-${a.village_id}`, ids.inA, { lon, lat, crs: 'gcj02' })
    expect(res.statusCode, res.body).toBe(200)
    const [d] = (await t.db.query<{ m: number }>(
      'SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) AS m FROM households WHERE id = $1', [ids.inA, a.lon, a.lat])).rows
    expect(d.m).toBeLessThan(1)
    const moved = await place(`cadre-${a.village_id}`, ids.inA, { lon: b.lon, lat: b.lat })
    expect(moved.json()).toMatchObject({ gridId: b.id, changed: true })
    await expectRollupsExact(a.id, b.id)
    expect((await place(`cadre-${a.village_id}`, ids.inA, { lon: w.lon, lat: w.lat })).statusCode).toBe(403)
    const card = await t.as(`gw-${b.id}`, `/api/households/${ids.inA}`)
    expect(card.json()).toMatchObject({ gridId: b.id, location: [b.lon, b.lat] })
  })
})
