import type { Queryable } from '../db/types.ts'
import { TILE_LAYERS, type TileLayer } from '../../geo/types.ts'
import { BUFFER, EXTENT, LAYERS, MAX_FEATURES } from './layers.ts'

// The Martin / pg_tileserv query shape: filter in 4326 on the GiST index with the
// tile envelope grown by the buffer, clip and quantise in 3857 with ST_AsMVTGeom.
function tileQuery(layer: TileLayer, z: string, x: string, y: string): string {
  const def = LAYERS[layer]
  return `SELECT ST_AsMVT(t, '${layer}', ${EXTENT}, 'geom') AS tile FROM (
    SELECT ${def.columns},
           ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(${z}, ${x}, ${y}), ${EXTENT}, ${BUFFER}, true) AS geom
      FROM ${def.table}
     WHERE geom && ST_Transform(ST_TileEnvelope(${z}, ${x}, ${y}, margin => ${BUFFER / EXTENT}), 4326)${def.where ? ` AND ${def.where}` : ''}
     -- a stable feature order gives the same bytes, so the same ETag, from every API process
     ORDER BY id
     LIMIT ${MAX_FEATURES}) t`
}

/** One tile: $1 z, $2 x, $3 y. */
export function mvtSql(layer: TileLayer): string {
  return tileQuery(layer, '$1', '$2', '$3')
}

/** Several tiles of one layer in one statement: $1 z[], $2 x[], $3 y[]; row i is tile i (1-based). */
export function mvtBatchSql(layer: TileLayer): string {
  return `SELECT k.i::int AS i, (${tileQuery(layer, 'k.z', 'k.x', 'k.y')}) AS tile
    FROM unnest($1::int[], $2::int[], $3::int[]) WITH ORDINALITY AS k(z, x, y, i)`
}

const BATCH_SQL = Object.fromEntries(TILE_LAYERS.map((l) => [l, mvtBatchSql(l)])) as Record<TileLayer, string>

interface Wanted {
  z: number
  x: number
  y: number
  resolve(tile: Buffer): void
  reject(err: unknown): void
}

export interface BatchLimits {
  /** fewest tiles a statement is given while more are waiting */
  minPerStatement: number
  maxPerStatement: number
  /** statements a burst of tiles is spread over before each takes more than minPerStatement */
  spread: number
}

const DEFAULT_BATCH: BatchLimits = { minPerStatement: 4, maxPerStatement: 32, spread: 8 }

/** How many tiles each statement takes when n are waiting: a burst is split so the database renders it on several cores. */
export function tilesPerStatement(n: number, limits: BatchLimits = DEFAULT_BATCH): number {
  return Math.min(limits.maxPerStatement, Math.max(limits.minPerStatement, Math.ceil(n / limits.spread)))
}

/**
 * Renders tiles with ST_AsMVT, the tiles of a layer asked for in the same turn of the event
 * loop in shared statements. A map asks for all the tiles in view at once; one round trip for
 * several spares a query (and a wake-up of a database backend) per tile, which on a machine
 * that runs the API beside PostGIS was most of the API's cost of a tile. A burst is still
 * spread over several statements (see tilesPerStatement), so a pan's tiles are rendered on
 * several cores rather than one after another in one backend.
 */
export class PostgisTileRenderer {
  private readonly waiting = new Map<TileLayer, Wanted[]>()
  private scheduled = false
  /** statements sent so far */
  statements = 0

  constructor(
    private readonly db: Queryable,
    private readonly limits: BatchLimits = DEFAULT_BATCH,
  ) {}

  render(layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let list = this.waiting.get(layer)
      if (!list) this.waiting.set(layer, (list = []))
      list.push({ z, x, y, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    for (const [layer, list] of this.waiting) {
      const size = tilesPerStatement(list.length, this.limits)
      for (let i = 0; i < list.length; i += size) void this.run(layer, list.slice(i, i + size))
    }
    this.waiting.clear()
  }

  private async run(layer: TileLayer, batch: Wanted[]): Promise<void> {
    this.statements++
    try {
      const r = await this.db.query<{ i: number; tile: Buffer | Uint8Array | null }>(
        BATCH_SQL[layer], [batch.map((w) => w.z), batch.map((w) => w.x), batch.map((w) => w.y)], { prepare: `mvt_batch_${layer}` })
      const tiles = new Array<Buffer>(batch.length).fill(Buffer.alloc(0))
      for (const row of r.rows) if (row.tile) tiles[row.i - 1] = Buffer.from(row.tile)
      batch.forEach((w, i) => w.resolve(tiles[i]))
    } catch (err) {
      for (const w of batch) w.reject(err)
    }
  }
}
