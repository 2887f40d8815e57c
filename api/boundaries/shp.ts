import { unreadable } from '../imports/limits.ts'
import type { Polygons } from './geometry.ts'

/**
 * A Shapefile's .shp: polygons only (boundaries), Z and M dropped. Written here for the same
 * reasons as dbf.ts, and because the limits must hold while reading: a record may claim any
 * number of parts and points, and is refused before anything is allocated for them.
 */

export interface ShpLimits {
  maxFeatures: number
  /** points in the whole file */
  maxVertices: number
}

const POLYGON_TYPES = new Set([5, 15, 25])
const TYPE_NAMES: Record<number, string> = { 0: 'null', 1: 'point', 3: 'polyline', 5: 'polygon', 8: 'multipoint', 11: 'pointZ', 13: 'polylineZ', 15: 'polygonZ', 18: 'multipointZ', 21: 'pointM', 23: 'polylineM', 25: 'polygonM', 28: 'multipointM', 31: 'multipatch' }

/** One record's polygons (null for a null shape: a feature with attributes and no geometry). */
export function readShp(data: Buffer, limits: ShpLimits): (Polygons | null)[] {
  if (data.length < 100 || data.readInt32BE(0) !== 9994) throw unreadable('has a .shp that is not a shapefile (no file code 9994)')
  const type = data.readInt32LE(32)
  if (!POLYGON_TYPES.has(type)) throw unreadable(`holds ${TYPE_NAMES[type] ?? `type ${type}`} shapes; boundaries must be polygons`)
  const end = Math.min(data.length, data.readInt32BE(24) * 2)
  const out: (Polygons | null)[] = []
  let vertices = 0
  for (let at = 100; at + 8 <= end; ) {
    const length = data.readInt32BE(at + 4) * 2
    const body = at + 8
    at = body + length
    if (length < 4 || at > end) throw unreadable(`has a damaged .shp (record ${out.length + 1} runs past the end)`)
    if (out.length >= limits.maxFeatures) throw unreadable(`has more than ${limits.maxFeatures} features (maxFeatures)`)
    const shapeType = data.readInt32LE(body)
    if (shapeType === 0) {
      out.push(null)
      continue
    }
    if (!POLYGON_TYPES.has(shapeType) || length < 44) throw unreadable(`has a damaged .shp (record ${out.length + 1} is not a polygon)`)
    const numParts = data.readInt32LE(body + 36)
    const numPoints = data.readInt32LE(body + 40)
    const partsAt = body + 44
    const pointsAt = partsAt + numParts * 4
    if (numParts < 1 || numPoints < 0 || pointsAt + numPoints * 16 > at) throw unreadable(`has a damaged .shp (record ${out.length + 1} claims more points than it holds)`)
    vertices += numPoints
    if (vertices > limits.maxVertices) throw unreadable(`has more than ${limits.maxVertices} vertices (maxVertices)`)
    const rings: Float64Array[] = []
    for (let p = 0; p < numParts; p++) {
      const from = data.readInt32LE(partsAt + p * 4)
      const to = p + 1 < numParts ? data.readInt32LE(partsAt + (p + 1) * 4) : numPoints
      if (from < 0 || to > numPoints || to < from) throw unreadable(`has a damaged .shp (record ${out.length + 1} has a bad part index)`)
      const ring = new Float64Array((to - from) * 2)
      for (let i = from; i < to; i++) {
        ring[(i - from) * 2] = data.readDoubleLE(pointsAt + i * 16)
        ring[(i - from) * 2 + 1] = data.readDoubleLE(pointsAt + i * 16 + 8)
      }
      if (ring.length >= 8) rings.push(ring)
    }
    out.push(rings.length ? assemble(rings) : null)
  }
  return out
}

/** Twice the signed area: negative for clockwise rings, which a Shapefile's outer rings are. */
export function signedArea2(ring: Float64Array): number {
  let s = 0
  for (let i = 0; i + 3 < ring.length; i += 2) s += ring[i] * ring[i + 3] - ring[i + 2] * ring[i + 1]
  return s
}

function inside(x: number, y: number, ring: Float64Array): boolean {
  let hit = false
  for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
    const xi = ring[i], yi = ring[i + 1], xj = ring[j], yj = ring[j + 1]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit
  }
  return hit
}

/**
 * Rings into polygons as the format says (clockwise outer rings, counter-clockwise holes), each
 * hole given to the smallest outer ring around it. Real files get the orientation wrong now and
 * then: a file of only counter-clockwise rings is read as outer rings, and a hole no outer ring
 * contains becomes an outer ring of its own, so nothing is lost before PostGIS repairs it.
 */
export function assemble(rings: Float64Array[]): Polygons {
  const cw = rings.filter((r) => signedArea2(r) < 0)
  const outers = (cw.length ? cw : rings).map((r) => ({ ring: r, area: Math.abs(signedArea2(r)), holes: [] as Float64Array[] }))
  if (!cw.length) return outers.map((o) => [o.ring])
  for (const r of rings) {
    if (signedArea2(r) < 0) continue
    const host = outers.filter((o) => inside(r[0], r[1], o.ring)).sort((a, b) => a.area - b.area)[0]
    if (host) host.holes.push(r)
    else outers.push({ ring: r, area: Math.abs(signedArea2(r)), holes: [] })
  }
  return outers.map((o) => [o.ring, ...o.holes])
}
