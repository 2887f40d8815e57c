import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GridCollection, HouseholdCollection, TownFeature, VillageCollection } from '../../geo/types.ts'
import { openTestApp } from '../test/app.ts'

let ctx: Awaited<ReturnType<typeof openTestApp>>
let app: FastifyInstance
beforeAll(async () => {
  ctx = await openTestApp()
  app = ctx.app
})
afterAll(async () => ctx?.close())

const get = (url: string) => ctx.as('display', url)

describe('geo API', () => {
  it('reports health and the engine in use', async () => {
    const res = await get('/api/health')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok', db: process.env.DATABASE_URL ? 'postgres' : 'pglite', version: 'dev' })
  })

  it('serves the town with its bbox', async () => {
    const town = (await get('/api/town')).json() as TownFeature
    expect(town.geometry!.type).toBe('Polygon')
    const [minLon, minLat, maxLon, maxLat] = town.properties.bbox!
    expect(minLon).toBeLessThan(117.4)
    expect(maxLon).toBeGreaterThan(117.4)
    expect(minLat).toBeLessThan(35.1)
    expect(maxLat).toBeGreaterThan(35.1)
    expect(town.properties.name).toMatch(/镇$/)
  })

  it('lists 17 villages whose counts add up to the grids and households below them', async () => {
    const villages = (await get('/api/villages')).json() as VillageCollection
    const grids = (await get('/api/grids')).json() as GridCollection
    expect(villages.type).toBe('FeatureCollection')
    expect(villages.features).toHaveLength(17)
    expect(grids.features).toHaveLength(208)
    for (const v of villages.features) {
      const own = grids.features.filter((g) => g.properties.villageId === v.properties.id)
      expect(v.properties.gridCount).toBe(own.length)
      expect(v.properties.households).toBe(own.reduce((s, g) => s + g.properties.households, 0))
      expect(v.properties.residents).toBe(own.reduce((s, g) => s + g.properties.residents, 0))
      expect(v.properties.name).toMatch(/村$/)
      expect(v.properties.label).toHaveLength(2)
    }
    const residents = villages.features.reduce((s, v) => s + v.properties.residents, 0)
    expect(residents).toBeGreaterThan(36_000)
    expect(residents).toBeLessThan(40_000)
  })

  it('describes each grid with its village, kind and masked grid worker', async () => {
    const grids = (await get('/api/grids')).json() as GridCollection
    const kinds = new Set(grids.features.map((g) => g.properties.kind))
    expect(kinds).toEqual(new Set(['base', 'exclusive']))
    for (const g of grids.features) {
      expect(g.geometry.type).toBe('Polygon')
      expect(g.properties.gridWorker.name.length).toBeGreaterThan(1)
      expect(g.properties.gridWorker.phone).toMatch(/^1\d{2}\*{4}\d{4}$/)
      expect(g.properties.villageName).toMatch(/村$/)
    }
  })

  it('filters grids by village', async () => {
    const all = (await get('/api/grids')).json() as GridCollection
    const villageId = all.features[0].properties.villageId
    const some = (await get(`/api/grids?village=${villageId}`)).json() as GridCollection
    expect(some.features.length).toBe(all.features.filter((g) => g.properties.villageId === villageId).length)
    expect(some.features.every((g) => g.properties.villageId === villageId)).toBe(true)
  })

  it("lists one grid's households with the house number withheld", async () => {
    const grids = (await get('/api/grids')).json() as GridCollection
    const grid = grids.features[5].properties
    const res = await get(`/api/households?grid=${grid.id}`)
    expect(res.statusCode).toBe(200)
    const hh = res.json() as HouseholdCollection
    expect(hh.features).toHaveLength(grid.households)
    for (const h of hh.features) {
      expect(h.properties.gridId).toBe(grid.id)
      expect(h.properties.address).toContain('*')
      expect(h.properties.address).not.toMatch(/\d+号/)
      expect(h.properties.members).toBeGreaterThan(0)
    }
  })

  it('answers 400 naming the parameter for bad input', async () => {
    for (const [url, field] of [
      ['/api/grids?village=abc', 'village'],
      ['/api/grids?village=0', 'village'],
      ['/api/grids?colour=red', 'colour'],
      ['/api/households', 'grid'],
      ['/api/households?grid=1.5', 'grid'],
      ['/api/households?grid=-3', 'grid'],
      ['/api/households?grid=1e309', 'grid'],
      ['/api/households/1e309', 'id'],
    ]) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(400)
      const body = res.json()
      expect(body.statusCode).toBe(400)
      expect(body.message, url).toContain(field)
    }
  })

  it('answers 404 for unknown ids and routes', async () => {
    expect((await get('/api/grids?village=999')).statusCode).toBe(404)
    expect((await get('/api/households?grid=99999')).statusCode).toBe(404)
    const res = await get('/api/nothing-here')
    expect(res.statusCode).toBe(404)
    expect(res.json().message).toContain('/api/nothing-here')
  })

  it('publishes an OpenAPI document (to an admin)', async () => {
    const res = await ctx.as('admin', '/api/docs/json')
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/villages', '/api/grids', '/api/households', '/api/tiles/{layer}/{z}/{x}/{y}.mvt']))
  })
})
