// JSON shapes shared by the API and the screen. The API builds them; the screen only reads them.
import type { Feature, FeatureCollection, LineString, MultiPolygon, Point, Polygon } from 'geojson'

export type LonLat = [number, number]
export type BBox = [number, number, number, number]
export type GridKind = 'base' | 'exclusive'
export type RoadKind = 'county' | 'town' | 'village'

export interface Health {
  status: 'ok'
  db: 'pglite' | 'postgres'
  /** the build walls compare with their own (BUILD_VERSION, or the screen's source hash) */
  version: string
}

export interface TownProps {
  id: number
  code: string
  name: string
  /** null until the town's villages are imported (its outline is their union) */
  bbox: BBox | null
}

export interface VillageProps {
  id: number
  /** the town (镇) the village belongs to */
  townId: number
  code: string
  name: string
  gridCount: number
  households: number
  residents: number
  label: LonLat
}

export interface GridWorkerCard {
  name: string
  /** masked, e.g. 138****1234 */
  phone: string
}

export interface GridProps {
  id: number
  code: string
  name: string
  villageId: number
  villageName: string
  kind: GridKind
  households: number
  residents: number
  gridWorker: GridWorkerCard
  label: LonLat
}

export interface HouseholdProps {
  id: number
  gridId: number
  /** masked beyond the village group: the house number is withheld */
  address: string
  members: number
  /** a member is in a care group; left out for the wall's display role */
  careGroup?: boolean
  partyMember: boolean
}

export interface RoadProps {
  id: number
  name: string
  kind: RoadKind
}

/** geometry null until the town's villages are imported */
export type TownFeature = Feature<Polygon | MultiPolygon | null, TownProps>
// villages and grids may be multipolygons (an enclave, a grid across a river): geo/polygons.ts reads both
export type VillageCollection = FeatureCollection<Polygon | MultiPolygon, VillageProps>
export type GridCollection = FeatureCollection<Polygon | MultiPolygon, GridProps>
export type HouseholdCollection = FeatureCollection<Point, HouseholdProps>
export type RoadCollection = FeatureCollection<LineString, RoadProps>

export const TILE_LAYERS = ['villages', 'grids', 'households'] as const
export type TileLayer = (typeof TILE_LAYERS)[number]

/** one row of the screen's search box (GET /api/search) */
export interface SearchHit {
  kind: 'village' | 'grid' | 'household' | 'resident'
  id: number
  label: string
  detail: string
  /** the scope to jump to: village:ID or grid:ID */
  scope: string
  householdId: number | null
}

export interface CollectionPointProps {
  id: number
  name: string
  villageId: number
  gridId: number
  bins: number
}
export interface TransferStationProps {
  id: number
  name: string
}
export interface CameraProps {
  id: number
  name: string
  kind: 'high' | 'low' | 'face'
  online: boolean
  gridId: number
}
/** GET /api/facilities: where trucks stop and what watches the town */
export interface Facilities {
  collectionPoints: FeatureCollection<Point, CollectionPointProps>
  transferStations: FeatureCollection<Point, TransferStationProps>
  cameras: FeatureCollection<Point, CameraProps>
}
