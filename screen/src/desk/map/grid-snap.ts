import type { MultiPolygon, Polygon, Position } from 'geojson'

// Snapping for the grid editor's drawing: a moved vertex or a drawn point lands on the village
// outline or on a neighbour's vertex or edge when the pointer is within a few pixels of it, so
// shared boundaries are drawn once and meet exactly (the server snaps what is thinner than 2 m;
// this keeps the slivers from being drawn in the first place).

export interface XY {
  x: number
  y: number
}
export interface SnapSet {
  vertices: Position[]
  segments: [Position, Position][]
}

const rings = (g: Polygon | MultiPolygon): Position[][] => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat())

/** the vertices and edges of the shapes given (the village outline, the other grids) */
export function snapSet(shapes: (Polygon | MultiPolygon | null | undefined)[]): SnapSet {
  const set: SnapSet = { vertices: [], segments: [] }
  for (const g of shapes) {
    if (!g) continue
    for (const ring of rings(g)) {
      set.vertices.push(...ring.slice(0, -1))
      for (let i = 1; i < ring.length; i++) set.segments.push([ring[i - 1], ring[i]])
    }
  }
  return set
}

/**
 * Where the pointer snaps to: the nearest vertex within `tolerancePx`, else the nearest point of
 * an edge within it, else nothing (undefined: the pointer's own place).
 */
export function snapPoint(
  cursor: XY, set: SnapSet, project: (lng: number, lat: number) => XY, unproject: (x: number, y: number) => { lng: number; lat: number }, tolerancePx = 12,
): Position | undefined {
  // a box around the pointer in degrees, so only nearby vertices are projected
  const a = unproject(cursor.x - tolerancePx, cursor.y - tolerancePx)
  const b = unproject(cursor.x + tolerancePx, cursor.y + tolerancePx)
  const [w, e, s, n] = [Math.min(a.lng, b.lng), Math.max(a.lng, b.lng), Math.min(a.lat, b.lat), Math.max(a.lat, b.lat)]
  const near = (p: Position) => p[0] >= w && p[0] <= e && p[1] >= s && p[1] <= n
  let best: Position | undefined
  let bestD = tolerancePx
  for (const v of set.vertices) {
    if (!near(v)) continue
    const p = project(v[0], v[1])
    const d = Math.hypot(p.x - cursor.x, p.y - cursor.y)
    if (d <= bestD) {
      best = v
      bestD = d
    }
  }
  if (best) return [best[0], best[1]]
  let onEdge: XY | undefined
  bestD = tolerancePx
  for (const [p0, p1] of set.segments) {
    // an edge whose box is far from the pointer's cannot be near it
    if (Math.max(p0[0], p1[0]) < w || Math.min(p0[0], p1[0]) > e || Math.max(p0[1], p1[1]) < s || Math.min(p0[1], p1[1]) > n) continue
    const u = project(p0[0], p0[1])
    const v = project(p1[0], p1[1])
    const len2 = (v.x - u.x) ** 2 + (v.y - u.y) ** 2
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cursor.x - u.x) * (v.x - u.x) + (cursor.y - u.y) * (v.y - u.y)) / len2))
    const q = { x: u.x + t * (v.x - u.x), y: u.y + t * (v.y - u.y) }
    const d = Math.hypot(q.x - cursor.x, q.y - cursor.y)
    if (d <= bestD) {
      onEdge = q
      bestD = d
    }
  }
  if (!onEdge) return undefined
  const ll = unproject(onEdge.x, onEdge.y)
  return [ll.lng, ll.lat]
}
