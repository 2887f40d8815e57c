import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/types.ts'
import { openFixtureDb } from '../test/test-db.ts'

// The tiling promise of 网格化管理 (无盲点、无遗漏、无死角、无重叠), checked in PostGIS itself.
// Areas are compared relative to the polygon's own area; 1e-9 is far below one square metre.
const REL = 1e-9

let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

describe('township tiling', () => {
  it('has 17 villages and 208 grids', async () => {
    const r = await db.query<{ v: number; g: number }>('SELECT (SELECT count(*) FROM villages) AS v, (SELECT count(*) FROM grids) AS g')
    expect(r.rows[0]).toEqual({ v: 17, g: 208 })
  })

  it('has only valid polygons', async () => {
    const r = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM towns WHERE NOT ST_IsValid(geom) OR ST_GeometryType(geom) <> 'ST_Polygon')
            + (SELECT count(*) FROM villages WHERE NOT ST_IsValid(geom) OR ST_GeometryType(geom) <> 'ST_Polygon')
            + (SELECT count(*) FROM grids WHERE NOT ST_IsValid(geom) OR ST_GeometryType(geom) <> 'ST_Polygon') AS n`,
    )
    expect(r.rows[0].n).toBe(0)
  })

  it('each village equals the union of its grids', async () => {
    const r = await db.query<{ id: number; diff: number; area: number; grids: number }>(
      `SELECT v.id, ST_Area(ST_SymDifference(ST_Union(g.geom), v.geom)) AS diff, ST_Area(v.geom) AS area, count(*) AS grids
         FROM villages v JOIN grids g ON g.village_id = v.id GROUP BY v.id, v.geom ORDER BY v.id`,
    )
    expect(r.rows).toHaveLength(17)
    for (const v of r.rows) {
      expect(v.grids).toBeGreaterThan(0)
      expect(v.diff / v.area, `village ${v.id}`).toBeLessThan(REL)
    }
  })

  it('grids do not overlap: the sum of their areas equals the area of their union, per village', async () => {
    const r = await db.query<{ id: number; sum: number; union: number }>(
      `SELECT village_id AS id, sum(ST_Area(geom)) AS sum, ST_Area(ST_Union(geom)) AS union
         FROM grids GROUP BY village_id ORDER BY village_id`,
    )
    for (const v of r.rows) expect(Math.abs(v.sum - v.union) / v.union, `village ${v.id}`).toBeLessThan(REL)
  })

  it('no two grids share area anywhere in the town', async () => {
    const r = await db.query<{ overlap: number; town: number }>(
      `SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0) AS overlap, (SELECT ST_Area(geom) FROM towns LIMIT 1) AS town
         FROM grids a JOIN grids b ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')`,
    )
    expect(r.rows[0].overlap / r.rows[0].town).toBeLessThan(REL)
  })

  it('villages tile the town with no gap and no overlap', async () => {
    const r = await db.query<{ diff: number; sum: number; area: number }>(
      `SELECT ST_Area(ST_SymDifference((SELECT ST_Union(geom) FROM villages), t.geom)) AS diff,
              (SELECT sum(ST_Area(geom)) FROM villages) AS sum, ST_Area(t.geom) AS area
         FROM towns t`,
    )
    const { diff, sum, area } = r.rows[0]
    expect(diff / area).toBeLessThan(REL)
    expect(Math.abs(sum - area) / area).toBeLessThan(REL)
  })

  it('puts every household strictly inside its own grid and no other', async () => {
    const outside = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM households h JOIN grids g ON g.id = h.grid_id WHERE NOT ST_Contains(g.geom, h.geom)`,
    )
    expect(outside.rows[0].n).toBe(0)
    const elsewhere = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM households h JOIN grids g ON g.id <> h.grid_id AND ST_Intersects(g.geom, h.geom)`,
    )
    expect(elsewhere.rows[0].n).toBe(0)
    const total = await db.query<{ n: number }>('SELECT count(*) AS n FROM households')
    expect(total.rows[0].n).toBeGreaterThan(10_000)
  })
})
