import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/types.ts'
import { openFixtureDb } from '../test/test-db.ts'
import { lonLatToTile } from '../../geo/tile-math.ts'
import { JsTileRenderer } from './js-fallback.ts'

// The embedded engine's tile renderer keeps what geojson-vt drills down to; a stranger asking
// for every deep tile of the town must not grow it without end. (The renderer runs on any
// engine's rows, so this runs on both.)
let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

describe('JS tile renderer', () => {
  it('stays bounded while every deep tile of the town is asked for, and keeps answering', async () => {
    const js = new JsTileRenderer(db)
    const bbox = (await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
      'SELECT ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1 FROM towns LIMIT 1')).rows[0]
    const z = 18
    const { x: xa, y: ya } = lonLatToTile(bbox.x0, bbox.y1, z)
    const { x: xb, y: yb } = lonLatToTile(bbox.x1, bbox.y0, z)
    const centre = lonLatToTile((bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2, 14)
    const first = await js.render('households', 14, centre.x, centre.y)
    let asked = 0
    let maxHeld = 0
    // a walk over the town's z18 tiles, strided so it covers the whole area in a few thousand requests
    const stride = Math.max(1, Math.floor(Math.sqrt(((xb - xa + 1) * (yb - ya + 1)) / 12000)))
    for (let x = xa; x <= xb; x += stride) {
      for (let y = ya; y <= yb; y += stride) {
        await js.render('households', z, x, y)
        asked++
        if (asked % 500 === 0) maxHeld = Math.max(maxHeld, await js.heldTiles('households'))
      }
    }
    expect(asked).toBeGreaterThan(8000)
    expect(maxHeld).toBeGreaterThan(0)
    expect(maxHeld).toBeLessThan(4096 + 500)
    // and it still renders the same tile as before the walk
    const again = await js.render('households', 14, centre.x, centre.y)
    expect(Buffer.compare(again, first)).toBe(0)
    expect(first.length).toBeGreaterThan(0)
  })
})
