import type { FeatureCollection, Polygon } from 'geojson'
import type { RoadCollection, TownFeature } from '../../../geo/types.ts'

/** GET /api/public/basemap: the town's outline, roads and villages, public geography only */
export interface PublicBasemap {
  town: TownFeature
  roads: RoadCollection
  villages: FeatureCollection<Polygon, { id: number; name: string; label: [number, number] }>
}

/** Ray casting over the outline's rings (holes count as outside): a hint before the server's 422. */
export function insidePolygon([x, y]: [number, number], polygon: Polygon): boolean {
  let inside = false
  for (const ring of polygon.coordinates) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]
      const [xj, yj] = ring[j]
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
    }
  }
  return inside
}

export function bounds(polygon: Polygon): [number, number, number, number] {
  const ring = polygon.coordinates[0]
  const lons = ring.map((c) => c[0])
  const lats = ring.map((c) => c[1])
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)]
}
