import type { Queryable } from '../db/types.ts'
import type { TileLayer } from '../../geo/types.ts'
import { BUFFER, EXTENT, LAYERS, MAX_FEATURES } from './layers.ts'

// The Martin / pg_tileserv query shape: filter in 4326 on the GiST index with the
// tile envelope grown by the buffer, clip and quantise in 3857 with ST_AsMVTGeom.
export function mvtSql(layer: TileLayer): string {
  const def = LAYERS[layer]
  return `SELECT ST_AsMVT(t, '${layer}', ${EXTENT}, 'geom') AS tile FROM (
    SELECT ${def.columns},
           ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), ${EXTENT}, ${BUFFER}, true) AS geom
      FROM ${def.table}
     WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => ${BUFFER / EXTENT}), 4326)
     -- a stable feature order gives the same bytes, so the same ETag, from every API process
     ORDER BY id
     LIMIT ${MAX_FEATURES}) t`
}

export async function renderPostgisTile(db: Queryable, layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
  const r = await db.query<{ tile: Buffer | Uint8Array | null }>(mvtSql(layer), [z, x, y], { prepare: `mvt_${layer}` })
  const tile = r.rows[0]?.tile
  return tile ? Buffer.from(tile) : Buffer.alloc(0)
}
