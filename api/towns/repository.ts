import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { MultiPolygon, Polygon } from 'geojson'
import type { TownList, TownOutlines } from '../../geo/towns.ts'

/**
 * The county and its towns with what each holds. Households and residents come from the grid
 * roll-ups (migration 029), so a county's million residents are not counted per request.
 */
export async function listTowns(db: Queryable): Promise<TownList> {
  const county = (await db.query<{ code: string; name: string }>('SELECT code, name FROM county WHERE id = 1')).rows[0] ?? null
  const r = await db.query<{
    id: number; code: string; name: string; bbox: [number, number, number, number] | null; label: [number, number] | null
    villages: number; grids: number; households: number; residents: number
  }>(
    `WITH v AS (SELECT town_id, count(*) AS n FROM villages GROUP BY town_id),
          g AS (SELECT v.town_id, count(*) AS n FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.retired_at IS NULL GROUP BY v.town_id),
          h AS (SELECT v.town_id, sum(ru.households) AS n, sum(ru.residents) AS r FROM grid_rollup ru JOIN grids g ON g.id = ru.grid_id
                  JOIN villages v ON v.id = g.village_id GROUP BY v.town_id)
     SELECT t.id, t.code, t.name,
            CASE WHEN t.geom IS NOT NULL THEN json_build_array(ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)) END AS bbox,
            CASE WHEN t.geom IS NOT NULL THEN json_build_array(ST_X(ST_PointOnSurface(t.geom)), ST_Y(ST_PointOnSurface(t.geom))) END AS label,
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

/**
 * The towns' outlines (~1 m precision is plenty at county zoom, and keeps 11 towns small); a town
 * named before its villages were imported has none yet and is left out.
 */
export async function townOutlines(db: Queryable): Promise<TownOutlines> {
  const r = await db.query<{ id: number; code: string; name: string; geometry: Polygon | MultiPolygon; label: [number, number] }>(
    `SELECT id, code, name, ST_AsGeoJSON(geom, 5)::json AS geometry,
            json_build_array(ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))) AS label
       FROM towns WHERE geom IS NOT NULL ORDER BY id`,
  )
  return {
    type: 'FeatureCollection',
    features: r.rows.map((t) => ({ type: 'Feature', id: t.id, geometry: t.geometry, properties: { id: t.id, code: t.code, name: t.name, label: t.label } })),
  }
}

export interface TownRecord {
  id: number
  code: string
  name: string
}

/** 409 naming the field another town already has (code: a database constraint; name: ours, two 店子镇 would be one too many) */
async function assertFree(db: Queryable, t: { code?: string; name?: string }, except: number | null): Promise<void> {
  const r = await db.query<{ code: boolean; name: boolean }>(
    `SELECT bool_or(code = $1) AS code, bool_or(name = $2) AS name FROM towns WHERE ($3::int IS NULL OR id <> $3)`, [t.code ?? null, t.name ?? null, except])
  if (r.rows[0]?.code) throw new HttpError(409, `body/code ${t.code} is another town's`, 'town_code_taken')
  if (r.rows[0]?.name) throw new HttpError(409, `body/name ${t.name} is another town's`, 'town_name_taken')
}

/** A town named before its villages are imported: no outline until they are (the boundary import makes it their union). */
export async function createTown(db: Queryable, t: { code: string; name: string }): Promise<TownRecord> {
  await assertFree(db, t, null)
  const r = await db.query<TownRecord>(`INSERT INTO towns (code, name) VALUES ($1, $2) RETURNING id, code, name`, [t.code, t.name]).catch(uniqueAsConflict)
  return r.rows[0]
}

export async function updateTown(db: Queryable, id: number, t: { code?: string; name?: string }): Promise<TownRecord> {
  await assertFree(db, t, id)
  const r = await db.query<TownRecord>(
    `UPDATE towns SET code = coalesce($2, code), name = coalesce($3, name) WHERE id = $1 RETURNING id, code, name`, [id, t.code ?? null, t.name ?? null],
  ).catch(uniqueAsConflict)
  if (!r.rows.length) throw notFound(`town ${id}`)
  return r.rows[0]
}

/** two admins naming towns at the same moment: the second is told, as the check would have told her */
function uniqueAsConflict(err: { code?: string }): never {
  if (err.code === '23505') throw new HttpError(409, 'body/code is another town\'s', 'town_code_taken')
  throw err
}

/** The county's code and name (one row: one system serves one county). */
export async function setCounty(db: Queryable, c: { code: string; name: string }): Promise<{ code: string; name: string }> {
  const r = await db.query<{ code: string; name: string }>(
    `INSERT INTO county (id, code, name) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name RETURNING code, name`, [c.code, c.name])
  return r.rows[0]
}
