import { Type } from 'typebox'
import { HttpError } from '../http/errors.ts'

// Lines and shapes drawn on the desk's map, as GeoJSON in WGS-84. The schemas bound their size
// (a grid is drawn by hand: thousands of vertices at most), the checks below what a schema
// cannot say (longitude and latitude ranges, rings of three points or more).

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3, description: '[longitude, latitude] in WGS-84' })
const Ring = Type.Array(Position, { minItems: 3, maxItems: 10_000 })
const PolygonCoordinates = Type.Array(Ring, { minItems: 1, maxItems: 100 })
const BBox = Type.Optional(Type.Array(Type.Number(), { maxItems: 6 }))

export const LineStringSchema = Type.Object({
  type: Type.Literal('LineString'),
  coordinates: Type.Array(Position, { minItems: 2, maxItems: 2_000 }),
  bbox: BBox,
}, { additionalProperties: false })

export const PolygonalSchema = Type.Union([
  Type.Object({ type: Type.Literal('Polygon'), coordinates: PolygonCoordinates, bbox: BBox }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(PolygonCoordinates, { minItems: 1, maxItems: 100 }), bbox: BBox }, { additionalProperties: false }),
])

export type LineStringInput = { type: 'LineString'; coordinates: number[][] }
export type PolygonalInput = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] }

/** more vertices than a village's grids drawn by hand ever have; PostGIS's work grows with them */
const MAX_VERTICES = 20_000

function position(p: number[], field: string): [number, number] {
  const [lon, lat] = p
  if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) throw new HttpError(400, `${field} must be [longitude, latitude] in WGS-84 degrees`, 'bad_geometry')
  return [lon, lat]
}

/** A polygon or multipolygon as GeoJSON text for ST_GeomFromGeoJSON: rings closed, heights dropped. */
export function polygonalGeoJson(g: PolygonalInput, field: string): string {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  let vertices = 0
  const out = polygons.map((rings, i) => rings.map((ring, j) => {
    const at = g.type === 'Polygon' ? `${field}/coordinates/${j}` : `${field}/coordinates/${i}/${j}`
    vertices += ring.length
    if (vertices > MAX_VERTICES) throw new HttpError(400, `${field} has more than ${MAX_VERTICES} vertices`, 'bad_geometry')
    const r = ring.map((p, k) => position(p, `${at}/${k}`))
    const [first, last] = [r[0], r[r.length - 1]]
    if (first[0] !== last[0] || first[1] !== last[1]) r.push(first)
    if (r.length < 4) throw new HttpError(400, `${at} needs three corners or more`, 'bad_geometry')
    return r
  }))
  return JSON.stringify({ type: 'MultiPolygon', coordinates: out })
}

/**
 * A cutting line as GeoJSON text, its two ends pushed out by about a metre: a line drawn to end
 * on the grid's edge (snapped to it) then still crosses it, instead of stopping a hair short.
 */
export function lineGeoJson(g: LineStringInput, field: string): string {
  const c = g.coordinates.map((p, k) => position(p, `${field}/coordinates/${k}`))
  const out = (end: [number, number], next: [number, number]): [number, number] => {
    const dx = end[0] - next[0]
    const dy = end[1] - next[1]
    const d = Math.hypot(dx, dy)
    return d === 0 ? end : [end[0] + (dx / d) * 1e-5, end[1] + (dy / d) * 1e-5]
  }
  const n = c.length
  if (c.every((p) => p[0] === c[0][0] && p[1] === c[0][1])) throw new HttpError(400, `${field} has no length`, 'bad_geometry')
  c[0] = out(c[0], c[1])
  c[n - 1] = out(c[n - 1], c[n - 2])
  return JSON.stringify({ type: 'LineString', coordinates: c })
}
