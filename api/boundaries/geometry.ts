/**
 * A feature's area as read from a file, in the file's own coordinates: polygons, each an outer
 * ring and its holes, each ring x,y pairs. Kept as flat Float64Arrays so a county's boundaries
 * (millions of vertices) cost no object per point and cross from the parsing worker as buffers.
 */
export type Polygons = Float64Array[][]

/** Well-known binary of a MultiPolygon (little-endian, 2D, rings closed), for ST_GeomFromWKB. */
export function toWkb(open: Polygons): Buffer {
  const polygons = open.map((p) => p.map(closeRing))
  let size = 9
  for (const p of polygons) {
    size += 9
    for (const r of p) size += 4 + r.length * 8
  }
  const b = Buffer.alloc(size)
  let at = 0
  const header = (type: number, n: number) => {
    b.writeUInt8(1, at)
    b.writeUInt32LE(type, at + 1)
    b.writeUInt32LE(n, at + 5)
    at += 9
  }
  header(6, polygons.length)
  for (const p of polygons) {
    header(3, p.length)
    for (const r of p) {
      b.writeUInt32LE(r.length / 2, at)
      at += 4
      for (let i = 0; i < r.length; i++, at += 8) b.writeDoubleLE(r[i], at)
    }
  }
  return b
}

/** Rings closed (first point again at the end), as WKB and PostGIS require. */
export function closeRing(r: Float64Array): Float64Array {
  const n = r.length
  if (n >= 4 && r[0] === r[n - 2] && r[1] === r[n - 1]) return r
  const c = new Float64Array(n + 2)
  c.set(r)
  c[n] = r[0]
  c[n + 1] = r[1]
  return c
}

/** The bounding box of everything read: tells a projected file (metres) from a geographic one. */
export function extent(all: Iterable<Polygons | null>): [number, number, number, number] | null {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity
  for (const ps of all) {
    if (!ps) continue
    for (const p of ps) {
      for (const r of p) {
        for (let i = 0; i < r.length; i += 2) {
          if (r[i] < minX) minX = r[i]
          if (r[i] > maxX) maxX = r[i]
          if (r[i + 1] < minY) minY = r[i + 1]
          if (r[i + 1] > maxY) maxY = r[i + 1]
        }
      }
    }
  }
  return minX === Infinity ? null : [minX, minY, maxX, maxY]
}

export const looksGeographic = (e: [number, number, number, number]) => e[0] >= -180 && e[2] <= 180 && e[1] >= -90 && e[3] <= 90

/** GeoJSON Polygon or MultiPolygon coordinates into Polygons (Z dropped). */
export function fromGeoJson(g: { type?: unknown; coordinates?: unknown } | null | undefined): Polygons | null {
  if (!g || typeof g !== 'object') return null
  const ring = (r: unknown): Float64Array => {
    if (!Array.isArray(r)) throw new Error('a ring is not an array of positions')
    const out = new Float64Array(r.length * 2)
    r.forEach((p: unknown, i) => {
      if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') throw new Error('a position is not [x, y]')
      out[i * 2] = p[0]
      out[i * 2 + 1] = p[1]
    })
    return out
  }
  const polygon = (p: unknown): Float64Array[] => {
    if (!Array.isArray(p)) throw new Error('a polygon is not an array of rings')
    return p.map(ring)
  }
  if (g.type === 'Polygon') return [polygon(g.coordinates)]
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates)) throw new Error('a multipolygon is not an array of polygons')
    return g.coordinates.map(polygon)
  }
  return null
}

export function vertexCount(ps: Polygons): number {
  let n = 0
  for (const p of ps) for (const r of p) n += r.length / 2
  return n
}
