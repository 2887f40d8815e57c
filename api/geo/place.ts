import type { Queryable } from '../db/types.ts'

/**
 * A place as people say it, for a point on the map where raw longitude and latitude were shown
 * (a resident's report on /r/, the phone's report form, the desk's order page): the nearest
 * household's street address without its house number ("店子镇石山村一组附近"), or, with no
 * house within `withinMetres`, the village and grid the point lies in ("石山村 第2网格"); null
 * outside every grid. No house number: a point's answer must not say who lives where.
 *
 * Cheap: one KNN step (`<->` on households' GiST index) and one grid lookup on its index.
 */
export async function placeNear(db: Queryable, lon: number, lat: number, withinMetres = 150): Promise<string | null> {
  const r = await db.query<{ address: string | null; house_number: string | null; metres: number | null; village: string | null; grid: string | null }>(
    `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS geom),
          near AS (SELECT h.address, h.house_number, h.geom FROM households h, p WHERE h.geom IS NOT NULL ORDER BY h.geom <-> p.geom LIMIT 1)
     SELECT near.address, near.house_number, ST_Distance(near.geom::geography, p.geom::geography) AS metres,
            (SELECT v.name FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.retired_at IS NULL AND ST_Intersects(g.geom, p.geom) ORDER BY g.kind = 'base' DESC, g.id LIMIT 1) AS village,
            (SELECT g.name FROM grids g WHERE g.retired_at IS NULL AND ST_Intersects(g.geom, p.geom) ORDER BY g.kind = 'base' DESC, g.id LIMIT 1) AS grid
       FROM p LEFT JOIN near ON true`,
    [lon, lat],
  )
  const row = r.rows[0]
  if (row?.address && row.metres !== null && Number(row.metres) <= withinMetres) return `${streetOf(row.address, row.house_number ?? '')}附近`
  return row?.village && row.grid ? `${row.village} ${row.grid}` : null
}

/** 店子镇石山村一组12号 → 店子镇石山村一组 */
export function streetOf(address: string, houseNumber: string): string {
  const at = houseNumber ? address.lastIndexOf(houseNumber) : -1
  const street = at > 0 ? address.slice(0, at) : address.replace(/\d+号?$/, '')
  return street.replace(/\d+$/, '')
}
