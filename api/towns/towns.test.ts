import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TownList } from '../../geo/towns.ts'
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
    const [minLon, minLat, maxLon, maxLat] = town.bbox
    expect(town.label[0]).toBeGreaterThan(minLon)
    expect(town.label[0]).toBeLessThan(maxLon)
    expect(town.label[1]).toBeGreaterThan(minLat)
    expect(town.label[1]).toBeLessThan(maxLat)
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
})
