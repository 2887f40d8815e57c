import type { Queryable } from '../db/types.ts'
import type { MultiPolygon, Polygon } from 'geojson'
import type { TownList, TownOutlines } from '../../geo/towns.ts'

/**
 * The county and its towns with what each holds. Households and residents come from the grid
 * roll-ups (migration 029), so a county's million residents are not counted per request.
 */
export async function listTowns(db: Queryable): Promise<TownList> {
  const county = (await db.query<{ code: string; name: string }>('SELECT code, name FROM county WHERE id = 1')).rows[0] ?? null
  const r = await db.query<{
    id: number; code: string; name: string; bbox: [number, number, number, number]; label: [number, number]
    villages: number; grids: number; households: number; residents: number
  }>(
    `WITH v AS (SELECT town_id, count(*) AS n FROM villages GROUP BY town_id),
          g AS (SELECT v.town_id, count(*) AS n FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.retired_at IS NULL GROUP BY v.town_id),
          h AS (SELECT v.town_id, sum(ru.households) AS n, sum(ru.residents) AS r FROM grid_rollup ru JOIN grids g ON g.id = ru.grid_id
                  JOIN villages v ON v.id = g.village_id GROUP BY v.town_id)
     SELECT t.id, t.code, t.name,
            json_build_array(ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)) AS bbox,
            json_build_array(ST_X(ST_PointOnSurface(t.geom)), ST_Y(ST_PointOnSurface(t.geom))) AS label,
            coalesce(v.n, 0) AS villages, coalesce(g.n, 0) AS grids, coalesce(h.n, 0)::int AS households, coalesce(h.r, 0)::int AS residents
       FROM towns t LEFT JOIN v ON v.town_id = t.id LEFT JOIN g ON g.town_id = t.id LEFT JOIN h ON h.town_id = t.id
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

/** The towns' outlines (~1 m precision is plenty at county zoom, and keeps 11 towns small). */
export async function townOutlines(db: Queryable): Promise<TownOutlines> {
  const r = await db.query<{ id: number; code: string; name: string; geometry: Polygon | MultiPolygon; label: [number, number] }>(
    `SELECT id, code, name, ST_AsGeoJSON(geom, 5)::json AS geometry,
            json_build_array(ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))) AS label
       FROM towns ORDER BY id`,
  )
  return {
    type: 'FeatureCollection',
    features: r.rows.map((t) => ({ type: 'Feature', id: t.id, geometry: t.geometry, properties: { id: t.id, code: t.code, name: t.name, label: t.label } })),
  }
}
