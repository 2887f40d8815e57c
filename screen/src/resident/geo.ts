import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { bboxOf, contains, type Polygonal } from '../../../geo/polygons.ts'
import type { RoadCollection, TownFeature } from '../../../geo/types.ts'

/** GET /api/public/basemap: the town's outline, roads and villages, public geography only */
export interface PublicBasemap {
  town: TownFeature
  roads: RoadCollection
  villages: FeatureCollection<Polygon | MultiPolygon, { id: number; name: string; label: [number, number] }>
}

/** Ray casting over the outline's rings (holes count as outside): a hint before the server's 422; without an outline the server decides. */
export const insidePolygon = (p: [number, number], polygon: Polygonal | null): boolean => (polygon ? contains(polygon, p) : true)

export const bounds = (polygon: Polygonal | null): [number, number, number, number] | null => (polygon ? bboxOf(polygon) : null)
