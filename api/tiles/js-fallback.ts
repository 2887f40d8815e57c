import GeoJSONVT from 'geojson-vt'
import vtpbf from 'vt-pbf'
import type { Feature, FeatureCollection, Geometry } from 'geojson'
import type { Queryable } from '../db/types.ts'
import type { TileLayer } from '../../geo/types.ts'
import { BUFFER, EXTENT, LAYERS, MAX_FEATURES } from './layers.ts'

interface Index {
  vt: GeoJSONVT
  features: FeatureCollection
  /** tiles the first pass made (down to indexMaxZoom); the rest were made by drilling down */
  base: number
}

/**
 * geojson-vt keeps every tile it drills down to. A stranger asking for every tile down to
 * z22 would grow it without end, so past this many drilled tiles the layer's index is built
 * again from its features (a few ms); tiles people look at stay in the encoded-tile cache.
 */
const MAX_DRILLED_TILES = 4096

const newIndex = (features: FeatureCollection): Index => {
  const vt = new GeoJSONVT(features, { maxZoom: 20, indexMaxZoom: 5, extent: EXTENT, buffer: BUFFER, tolerance: 3 })
  return { vt, features, base: vt.tileCoords.length }
}

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
      `SELECT ${def.columns}, ST_AsGeoJSON(geom, 7)::json AS geometry FROM ${def.table} WHERE ${def.where ?? 'TRUE'} ORDER BY id`,
    )
    const features: Feature[] = r.rows.map(({ geometry, ...properties }) => ({ type: 'Feature', geometry, properties }))
    return newIndex({ type: 'FeatureCollection', features })
  }

  /** tiles held by the layer's index (for tests and the stats route) */
  async heldTiles(layer: TileLayer): Promise<number> {
    return (await this.index(layer)).vt.tileCoords.length
  }

  async render(layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
    const current = this.index(layer)
    const idx = await current
    const tile = idx.vt.getTile(z, x, y)
    // (unless the layer changed meanwhile: then a fresh index is already on its way)
    if (idx.vt.tileCoords.length - idx.base > MAX_DRILLED_TILES && this.indexes.get(layer) === current) {
      this.indexes.set(layer, Promise.resolve(newIndex(idx.features)))
    }
    if (!tile || tile.features.length === 0) return Buffer.alloc(0)
    if (tile.features.length > MAX_FEATURES) tile.features.length = MAX_FEATURES
    return Buffer.from(vtpbf.fromGeojsonVt({ [layer]: tile }, { version: 2, extent: EXTENT }))
  }
}
