import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GridCollection, TownFeature } from '../../geo/types.ts'
import { lonLatToTile } from '../../geo/tile-math.ts'
import { openTestApp } from '../test/app.ts'
import type { TileLayer } from '../../geo/types.ts'
import { mvtSql } from './postgis.ts'
import type { TileStats } from './service.ts'

let ctx: Awaited<ReturnType<typeof openTestApp>>
let app: FastifyInstance
let center: [number, number]
beforeAll(async () => {
  ctx = await openTestApp()
  app = ctx.app
  const town = (await ctx.as('display', '/api/town')).json() as TownFeature
  const [a, b, c, d] = town.properties.bbox!
  center = [(a + c) / 2, (b + d) / 2]
})
afterAll(async () => ctx?.close())

function decode(body: Buffer) {
  return new VectorTile(new PbfReader(body) as never)
}

function tileUrl(layer: string, z: number, lon = center[0], lat = center[1]) {
  const { x, y } = lonLatToTile(lon, lat, z)
  return `/api/tiles/${layer}/${z}/${x}/${y}.mvt`
}

describe('vector tiles', () => {
  it('serves villages and grids as MVT with their attributes', async () => {
    for (const layer of ['villages', 'grids']) {
      const res = await ctx.as('display', tileUrl(layer, 11))
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile')
      expect(res.headers['cache-control']).toContain('max-age')
      const vt = decode(res.rawPayload)
      const l = vt.layers[layer]
      expect(l, layer).toBeDefined()
      expect(l.length).toBeGreaterThan(0)
      expect(l.extent).toBe(4096)
      const f = l.feature(0)
      expect(f.type).toBe(3) // polygon
      expect(typeof f.properties.name).toBe('string')
      expect(Number(f.properties.id)).toBeGreaterThan(0)
    }
  })

  it('shows households only from zoom 13 up', async () => {
    const grids = (await ctx.as('display', '/api/grids')).json() as GridCollection
    const [lon, lat] = grids.features[0].properties.label
    const low = await ctx.as('display', tileUrl('households', 12, lon, lat))
    expect(low.statusCode).toBe(200)
    expect(low.rawPayload.length).toBe(0)
    const high = await ctx.as('display', tileUrl('households', 14, lon, lat))
    const l = decode(high.rawPayload).layers.households
    expect(l.length).toBeGreaterThan(0)
    expect(l.feature(0).type).toBe(1) // point
  })

  it('answers 304 to a matching If-None-Match', async () => {
    const url = tileUrl('grids', 12)
    const first = await ctx.as('display', url)
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^".+"$/)
    const again = await ctx.as('display', { method: 'GET', url, headers: { 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.rawPayload.length).toBe(0)
  })

  it('drops cached tiles when the data changes', async () => {
    const grids = (await ctx.as('display', '/api/grids')).json() as GridCollection
    const grid = grids.features[10].properties
    const url = tileUrl('grids', 14, grid.label[0], grid.label[1])
    const before = await ctx.as('display', url)
    const names = (body: Buffer) => {
      const l = decode(body).layers.grids
      return Array.from({ length: l.length }, (_, i) => String(l.feature(i).properties.name))
    }
    expect(names(before.rawPayload)).toContain(grid.name)
    await ctx.db.query('UPDATE grids SET name = $1 WHERE id = $2', ['改名测试网格', grid.id])
    let after = before
    for (let i = 0; i < 50 && after.headers.etag === before.headers.etag; i++) {
      await new Promise((r) => setTimeout(r, 100))
      after = await ctx.as('display', url)
    }
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect(names(after.rawPayload)).toContain('改名测试网格')
  })

  it('renders tiles asked for together in one statement on PostgreSQL, each the bytes ST_AsMVT gives alone', async () => {
    const stats = async () => {
      const res = await ctx.as('admin', '/api/tiles/stats')
      expect(res.statusCode).toBe(200)
      return res.json() as TileStats
    }
    const before = await stats()
    // a map's view at z15: 4×3 tiles never asked for before, of two layers
    const { x, y } = lonLatToTile(center[0], center[1], 15)
    const wanted = [] as { layer: TileLayer; z: number; x: number; y: number }[]
    for (const layer of ['grids', 'households'] as const) for (let dx = 0; dx < 4; dx++) for (let dy = 0; dy < 3; dy++) wanted.push({ layer, z: 15, x: x + dx, y: y + dy })
    const bodies = await Promise.all(wanted.map(async (t) => {
      const res = await ctx.as('display', `/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`)
      expect(res.statusCode).toBe(200)
      return res.rawPayload
    }))
    expect(bodies.filter((b) => b.length > 0).length).toBeGreaterThan(wanted.length / 2)
    const after = await stats()
    expect(after.renders - before.renders).toBe(wanted.length)
    if (ctx.db.engine === 'postgres') {
      expect(after.statements! - before.statements!).toBeLessThan(wanted.length)
      for (const [i, t] of wanted.entries()) {
        const alone = (await ctx.db.query<{ tile: Buffer | null }>(mvtSql(t.layer), [t.z, t.x, t.y])).rows[0].tile ?? Buffer.alloc(0)
        expect(Buffer.compare(bodies[i], Buffer.from(alone)), `${t.layer}/${t.z}/${t.x}/${t.y}`).toBe(0)
      }
    } else {
      // PGlite has no ST_AsMVT: the JS renderer draws each tile, there are no statements to count
      expect(after.statements).toBeNull()
    }
    expect((await ctx.as('display', '/api/tiles/stats')).statusCode).toBe(403)
  })

  it('rejects bad tile addresses naming the parameter', async () => {
    for (const [url, field] of [
      ['/api/tiles/roads/10/1/1.mvt', 'layer'],
      ['/api/tiles/grids/23/1/1.mvt', 'z'],
      ['/api/tiles/grids/2/4/1.mvt', 'x'],
      ['/api/tiles/grids/2/1/9.mvt', 'y'],
      ['/api/tiles/grids/a/1/1.mvt', 'z'],
    ]) {
      const res = await ctx.as('display', url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json().message, url).toContain(field)
    }
  })
})
