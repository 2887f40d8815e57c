import type { Db } from '../db/types.ts'
import type { TileLayer } from '../../geo/types.ts'
import { TILE_LAYERS } from '../../geo/types.ts'
import { type CachedTile, etagOf, TileCache } from './cache.ts'
import { JsTileRenderer } from './js-fallback.ts'
import { LAYERS, layersFedBy } from './layers.ts'
import { PostgisTileRenderer } from './postgis.ts'

export interface TileStats {
  cacheEntries: number
  cacheHits: number
  /** requests that waited for a render another request had started */
  sharedRenders: number
  renders: number
  /** PostgreSQL: statements that rendered those tiles (several tiles asked for together share one) */
  statements: number | null
}

export interface TileService {
  get(layer: TileLayer, z: number, x: number, y: number): Promise<CachedTile>
  stats(): TileStats
  readonly cache: TileCache
  close(): Promise<void>
}

/**
 * Tiles from ST_AsMVT on PostgreSQL, from the JS fallback on PGlite; one LRU in
 * front, emptied per layer whenever the database announces a change to the
 * layer's table (trigger → pg_notify → LISTEN), so edits show without a restart.
 */
export async function createTileService(db: Db, cacheEntries: number): Promise<TileService> {
  const cache = new TileCache(cacheEntries)
  const js = db.engine === 'pglite' ? new JsTileRenderer(db) : null
  const postgis = js ? null : new PostgisTileRenderer(db)
  // Bumped on invalidation, so a render that started before a change is not cached after it.
  const generation = new Map<TileLayer, number>(TILE_LAYERS.map((l) => [l, 0]))
  const inflight = new Map<string, Promise<CachedTile>>()
  const counts = { cacheHits: 0, sharedRenders: 0, renders: 0 }

  const stopListening = await db.listen('data_changed', (table) => {
    for (const layer of layersFedBy(table)) {
      generation.set(layer, (generation.get(layer) ?? 0) + 1)
      cache.invalidateLayer(layer)
      js?.invalidate(layer)
    }
  })

  async function render(layer: TileLayer, z: number, x: number, y: number): Promise<CachedTile> {
    if (z < LAYERS[layer].minZoom) return { body: Buffer.alloc(0), etag: etagOf(Buffer.alloc(0)) }
    counts.renders++
    const body = js ? await js.render(layer, z, x, y) : await postgis!.render(layer, z, x, y)
    return { body, etag: etagOf(body) }
  }

  return {
    cache,
    stats: () => ({ cacheEntries: cache.size, ...counts, statements: postgis ? postgis.statements : null }),
    async get(layer, z, x, y) {
      const key = `${layer}/${z}/${x}/${y}`
      const hit = cache.get(key)
      if (hit) {
        counts.cacheHits++
        return hit
      }
      const pending = inflight.get(key)
      if (pending) {
        counts.sharedRenders++
        return pending
      }
      const gen = generation.get(layer)
      const p = render(layer, z, x, y)
        .then((tile) => {
          if (generation.get(layer) === gen) cache.set(key, tile)
          return tile
        })
        .finally(() => inflight.delete(key))
      inflight.set(key, p)
      return p
    },
    async close() {
      await stopListening()
    },
  }
}
