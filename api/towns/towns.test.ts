import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TownList, TownOutlines } from '../../geo/towns.ts'
import { openTestApp, type TestApp } from '../test/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

describe('GET /api/towns', () => {
  it('lists the county and its one demo town, whose counts are those of its villages', async () => {
    const res = await t.as('display', '/api/towns')
    expect(res.statusCode, res.body).toBe(200)
    const list = res.json() as TownList
    expect(list.county).toEqual({ code: '371326', name: '示范县' })
    expect(list.towns.map((x) => x.name)).toEqual(['店子镇'])
    const villages = (await t.as('display', '/api/villages')).json() as { features: { properties: { gridCount: number; households: number; residents: number } }[] }
    const sum = (k: 'gridCount' | 'households' | 'residents') => villages.features.reduce((s, v) => s + v.properties[k], 0)
    const [town] = list.towns
    expect(town.villages).toBe(villages.features.length)
    expect(town.grids).toBe(sum('gridCount'))
    expect(town.households).toBe(sum('households'))
    expect(town.residents).toBe(sum('residents'))
    const [minLon, minLat, maxLon, maxLat] = town.bbox!
    expect(town.label![0]).toBeGreaterThan(minLon)
    expect(town.label![0]).toBeLessThan(maxLon)
    expect(town.label![1]).toBeGreaterThan(minLat)
    expect(town.label![1]).toBeLessThan(maxLat)
  })

  it("keeps each town's outline the union of its villages", async () => {
    const r = await t.db.query<{ id: number; same: boolean }>(
      `SELECT t.id, ST_Equals(t.geom, u.geom) AS same FROM towns t JOIN (SELECT town_id, ST_Union(geom) AS geom FROM villages GROUP BY town_id) u ON u.town_id = t.id`)
    expect(r.rows.length).toBeGreaterThan(0)
    expect(r.rows.filter((x) => !x.same)).toEqual([])
  })

  it('is geography: every map reader, nobody else', async () => {
    expect((await t.app.inject('/api/towns')).statusCode).toBe(401)
    expect((await t.as('device', '/api/towns')).statusCode).toBe(403)
    for (const who of ['cadre-1', 'dept-1', 'leader']) expect((await t.as(who, '/api/towns')).statusCode, who).toBe(200)
  })

  it("serves a county's map: the towns' outlines, each town's villages and grids, a user's own town", async () => {
    await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 17;
                     UPDATE villages SET town_id = 2 WHERE id = 17`)
    try {
      const outlines = (await t.as('display', '/api/towns/outlines')).json() as TownOutlines
      expect(outlines.features.map((f) => [f.properties.id, f.properties.name])).toEqual([[1, '店子镇'], [2, '邻镇']])
      const villages = (await t.as('display', '/api/villages?town=2')).json() as { features: { properties: { id: number; townId: number } }[] }
      expect(villages.features.map((f) => f.properties)).toMatchObject([{ id: 17, townId: 2 }])
      const all = (await t.as('display', '/api/villages')).json() as { features: { properties: { townId: number } }[] }
      expect(all.features.filter((f) => f.properties.townId === 1)).toHaveLength(16)
      const grids = (await t.as('display', '/api/grids?town=2')).json() as { features: { properties: { villageId: number } }[] }
      const inVillage17 = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM grids WHERE village_id = 17')).rows[0].n
      expect(grids.features).toHaveLength(inVillage17)
      expect(new Set(grids.features.map((g) => g.properties.villageId))).toEqual(new Set([17]))
      // the county's accounts open on the first town unless they ask; a cadre on her own town
      expect((await t.as('leader', '/api/town')).json().properties.name).toBe('店子镇')
      expect((await t.as('leader', '/api/town?id=2')).json().properties.name).toBe('邻镇')
      expect((await t.as('cadre-17', '/api/town')).json().properties.name).toBe('邻镇')
      expect((await t.as('leader', '/api/town?id=99')).statusCode).toBe(404)
      expect((await t.as('leader', '/api/villages?town=x')).statusCode).toBe(400)
      // the orders of one town (the wall's and the desk's town filter)
      const orders = (await t.as('leader', '/api/work-orders?town=2&limit=500')).json() as { villageId: number }[]
      const in17 = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM work_orders WHERE village_id = 17')).rows[0].n
      expect(orders.length).toBe(Math.min(500, in17))
      expect(new Set(orders.map((o) => o.villageId))).toEqual(new Set([17]))
      const list = (await t.as('display', '/api/towns')).json() as TownList
      expect(list.towns.map((x) => x.villages)).toEqual([16, 1])
      expect(list.towns[1].residents).toBe((await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM residents r JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id
          WHERE g.village_id = 17 AND r.deregistered IS NULL`)).rows[0].n)
    } finally {
      await t.db.exec(`UPDATE villages SET town_id = 1 WHERE id = 17; DELETE FROM towns WHERE id = 2`)
    }
  })

  it('tells the screens how far an account reaches (the wall of a county opens on the county)', async () => {
    expect((await t.as('leader', '/api/auth/me')).json().scope).toEqual({ level: 'county' })
    expect((await t.as('cadre-1', '/api/auth/me')).json().scope).toEqual({ level: 'village' })
  })
})
