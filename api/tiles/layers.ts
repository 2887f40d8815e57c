import type { TileLayer } from '../../geo/types.ts'

export interface LayerDef {
  table: string
  /** attribute columns carried into the tile, identical on both engines */
  columns: string
  /** below this zoom the layer is empty: 10,000 household dots say nothing at town scale */
  minZoom: number
  /** which rows are drawn: households waiting to be placed (待落图) have no point */
  where?: string
}

export const LAYERS: Record<TileLayer, LayerDef> = {
  villages: { table: 'villages', columns: 'id, code, name', minZoom: 0 },
  grids: { table: 'grids', columns: 'id, code, name, village_id, kind', minZoom: 0 },
  households: { table: 'households', columns: 'id, grid_id', minZoom: 13, where: 'geom IS NOT NULL' },
}

/** Which tile layers a changed table invalidates. */
export function layersFedBy(table: string): TileLayer[] {
  return (Object.keys(LAYERS) as TileLayer[]).filter((l) => LAYERS[l].table === table)
}

export const EXTENT = 4096
export const BUFFER = 64
/** pg_tileserv's bound: a tile never carries more features than this. */
export const MAX_FEATURES = 50_000
export const MAX_ZOOM = 22
