import type { MultiPolygon, Polygon, Position } from 'geojson'

// Village and grid outlines are Polygons or MultiPolygons (a village with an enclave, a grid
// across a river): one set of helpers for both, shared by the screens, so nothing reads a
// shape as if its first ring were all of it.

export type Polygonal = Polygon | MultiPolygon

/** every polygon's rings: outer first, then its holes */
export const polygonsOf = (g: Polygonal): Position[][][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)

/** the outer rings (one per polygon): for extents and neighbourhood, which holes do not change */
export const outerRings = (g: Polygonal): Position[][] => polygonsOf(g).map((p) => p[0])

/** [minLon, minLat, maxLon, maxLat] over all outer rings */
export function bboxOf(g: Polygonal): [number, number, number, number] {
  let b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const ring of outerRings(g)) {
    for (const [x, y] of ring) b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)]
  }
  return b
}

/** Ray casting over every ring: inside an odd number of them is inside (holes and enclaves alike). */
export function contains(g: Polygonal, [x, y]: [number, number]): boolean {
  let inside = false
  for (const polygon of polygonsOf(g)) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i]
        const [xj, yj] = ring[j]
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
      }
    }
  }
  return inside
}
