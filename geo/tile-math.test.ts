import { describe, expect, it } from 'vitest'
import { lonLatToTile, tilesCovering } from './tile-math.ts'

describe('tile math', () => {
  it('finds the XYZ tile of a point', () => {
    expect(lonLatToTile(0, 0, 1)).toEqual({ x: 1, y: 1 })
    expect(lonLatToTile(-180, 85, 2)).toEqual({ x: 0, y: 0 })
    // 117.4°E 35.1°N at z10, computed by hand from the Web Mercator formulas
    expect(lonLatToTile(117.4, 35.1, 10)).toEqual({ x: 845, y: 405 })
  })
  it('lists the tiles covering a bbox', () => {
    const tiles = tilesCovering([117.3, 35.0, 117.5, 35.2], 12)
    expect(tiles.length).toBeGreaterThan(1)
    expect(new Set(tiles.map((t) => t.z))).toEqual(new Set([12]))
  })
})
