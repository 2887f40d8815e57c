import GeoJSONVT from 'geojson-vt'
import vtpbf from 'vt-pbf'
import type { Feature, FeatureCollection, Geometry } from 'geojson'
import type { Queryable } from '../db/types.ts'
import type { TileLayer } from '../../geo/types.ts'
import { BUFFER, EXTENT, LAYERS, MAX_FEATURES } from './layers.ts'

type Index = GeoJSONVT

/**
 * PGlite's PostGIS is built without protobuf-c, so ST_AsMVT is missing there. This
 * renderer keeps one geojson-vt index per layer (built from PostGIS on first use,
 * dropped when the layer's table changes) and encodes tiles with vt-pbf.
 */
export class JsTileRenderer {
  private readonly indexes = new Map<TileLayer, Promise<Index>>()

  constructor(private readonly db: Queryable) {}

  invalidate(layer: TileLayer): void {
    this.indexes.delete(layer)
  }

  private index(layer: TileLayer): Promise<Index> {
    let idx = this.indexes.get(layer)
    if (!idx) {
      idx = this.build(layer)
      this.indexes.set(layer, idx)
      idx.catch(() => this.indexes.delete(layer))
    }
    return idx
  }

  private async build(layer: TileLayer): Promise<Index> {
    const def = LAYERS[layer]
    const r = await this.db.query<Record<string, unknown> & { geometry: Geometry }>(
      `SELECT ${def.columns}, ST_AsGeoJSON(geom, 7)::json AS geometry FROM ${def.table} ORDER BY id`,
    )
    const features: Feature[] = r.rows.map(({ geometry, ...properties }) => ({ type: 'Feature', geometry, properties }))
    const fc: FeatureCollection = { type: 'FeatureCollection', features }
    return new GeoJSONVT(fc, { maxZoom: 20, indexMaxZoom: 5, extent: EXTENT, buffer: BUFFER, tolerance: 3 })
  }

  async render(layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
    const tile = (await this.index(layer)).getTile(z, x, y)
    if (!tile || tile.features.length === 0) return Buffer.alloc(0)
    if (tile.features.length > MAX_FEATURES) tile.features.length = MAX_FEATURES
    return Buffer.from(vtpbf.fromGeojsonVt({ [layer]: tile }, { version: 2, extent: EXTENT }))
  }
}
