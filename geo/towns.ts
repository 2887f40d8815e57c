import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'

// GET /api/towns: the county (县) and its towns (镇/街道), as the screens list them.
export interface TownSummary {
  id: number
  code: string
  name: string
  /** [minLon, minLat, maxLon, maxLat]; null until the town's villages are imported */
  bbox: [number, number, number, number] | null
  /** a point inside the town for its label; null until the town's villages are imported */
  label: [number, number] | null
  villages: number
  grids: number
  households: number
  /** registered residents (deregistered people left out, as in the statistics) */
  residents: number
}

export interface TownList {
  /** null on a database loaded from a fixture set made before counties existed */
  county: { code: string; name: string } | null
  towns: TownSummary[]
}

/** GET /api/towns/outlines: the towns' outlines for the county map, labelled at `label`. */
export type TownOutlines = FeatureCollection<Polygon | MultiPolygon, { id: number; code: string; name: string; label: [number, number] }>
