import type { Queryable } from '../db/types.ts'
import type { TownList } from '../../geo/towns.ts'

/**
 * The county and its towns with what each holds. Counts are grouped once per table, not
 * per town, so a county of 11 towns costs the same four scans as the demo's one.
 */
export async function listTowns(db: Queryable): Promise<TownList> {
  const county = (await db.query<{ code: string; name: string }>('SELECT code, name FROM county WHERE id = 1')).rows[0] ?? null
  const r = await db.query<{
    id: number; code: string; name: string; bbox: [number, number, number, number]; label: [number, number]
    villages: number; grids: number; households: number; residents: number
  }>(
    `WITH v AS (SELECT town_id, count(*) AS n FROM villages GROUP BY town_id),
          g AS (SELECT v.town_id, count(*) AS n FROM grids g JOIN villages v ON v.id = g.village_id GROUP BY v.town_id),
          h AS (SELECT v.town_id, count(*) AS n FROM households h JOIN grids g ON g.id = h.grid_id JOIN villages v ON v.id = g.village_id GROUP BY v.town_id),
          r AS (SELECT v.town_id, count(*) AS n FROM residents r JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id
                  JOIN villages v ON v.id = g.village_id WHERE r.deregistered IS NULL GROUP BY v.town_id)
     SELECT t.id, t.code, t.name,
            json_build_array(ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)) AS bbox,
            json_build_array(ST_X(ST_PointOnSurface(t.geom)), ST_Y(ST_PointOnSurface(t.geom))) AS label,
            coalesce(v.n, 0) AS villages, coalesce(g.n, 0) AS grids, coalesce(h.n, 0) AS households, coalesce(r.n, 0) AS residents
       FROM towns t LEFT JOIN v ON v.town_id = t.id LEFT JOIN g ON g.town_id = t.id LEFT JOIN h ON h.town_id = t.id LEFT JOIN r ON r.town_id = t.id
      ORDER BY t.id`,
  )
  return {
    county,
    towns: r.rows.map((t) => ({
      id: t.id, code: t.code, name: t.name, bbox: t.bbox, label: t.label,
      villages: t.villages, grids: t.grids, households: t.households, residents: t.residents,
    })),
  }
}
