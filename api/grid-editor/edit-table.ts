import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'

/**
 * A village's grids as they would be after an edit, worked out by PostGIS in a temporary table
 * (`edit`) of the edit's transaction: each current grid with its shape before (`old`) and after
 * (`geom`); a new grid has no id yet. save.ts then checks the whole village by the 四无 rules.
 */

export interface GridRow {
  id: number
  villageId: number
  code: string
  name: string
  kind: 'base' | 'exclusive'
}

/** shapes that PostGIS made (differences, unions) as valid polygons, nothing of lower dimension */
export const POLYGONAL = (g: string) => `ST_CollectionExtract(ST_MakeValid(${g}), 3)`

/** A current grid, or 404 (none) / 409 (retired: kept for its history, no longer on the map). */
export async function currentGrid(db: Queryable, id: number, field = `grid ${id}`): Promise<GridRow> {
  const r = await db.query<GridRow & { retired: boolean }>(
    `SELECT id, village_id AS "villageId", code, name, kind, retired_at IS NOT NULL AS retired FROM grids WHERE id = $1`, [id])
  const g = r.rows[0]
  if (!g) throw notFound(field)
  if (g.retired) throw new HttpError(409, `${field} (${g.name}) was retired: it is no longer on the map`, 'grid_retired')
  return g
}

/**
 * The village's current grids into `edit`, the village row locked first: two admins editing one
 * village take turns, so neither checks the other's half-made state.
 */
export async function openEdit(tx: Queryable, villageId: number): Promise<{ name: string; townId: number }> {
  const v = await tx.query<{ name: string; town_id: number }>('SELECT name, town_id FROM villages WHERE id = $1 FOR UPDATE', [villageId])
  if (!v.rows.length) throw notFound(`village ${villageId}`)
  await tx.query(`CREATE TEMP TABLE edit (
    id integer, code text NOT NULL, name text NOT NULL, kind text NOT NULL, geom geometry NOT NULL, old geometry
  ) ON COMMIT DROP`)
  await tx.query(`INSERT INTO edit (id, code, name, kind, geom, old)
                  SELECT id, code, name, kind, geom, geom FROM grids WHERE village_id = $1 AND retired_at IS NULL`, [villageId])
  return { name: v.rows[0].name, townId: v.rows[0].town_id }
}

/** The grids an edit names, still current once the village is locked (another admin may have merged one away). */
export async function assertInEdit(tx: Queryable, grids: GridRow[]): Promise<void> {
  const r = await tx.query<{ id: number }>('SELECT id FROM edit WHERE id = ANY ($1::int[])', [grids.map((g) => g.id)])
  const gone = grids.filter((g) => !r.rows.some((x) => x.id === g.id))
  if (gone.length) throw new HttpError(409, `${gone.map((g) => `${g.name} (${g.code})`).join(', ')} changed meanwhile: it is no longer a current grid of its village`, 'grid_retired')
}

/** A shape from the desk, made valid; 400 when nothing of it is left. */
export async function drawnShape(tx: Queryable, geojson: string, field: string): Promise<string> {
  const r = await tx.query<{ hex: string | null }>(
    `SELECT encode(ST_AsBinary(g), 'hex') AS hex FROM (SELECT ${POLYGONAL('ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)')} AS g) s
      WHERE NOT ST_IsEmpty(g) AND ST_Area(g::geography) > 1`, [geojson])
  if (!r.rows[0]?.hex) throw new HttpError(400, `${field} encloses no area`, 'bad_geometry')
  return r.rows[0].hex
}

/** `$n` as a geometry from the hex WKB drawnShape answers */
export const SHAPE = (n: number) => `ST_SetSRID(ST_GeomFromWKB(decode($${n}, 'hex')), 4326)`

/** A code no grid has (retired ones keep theirs), nor a grid of the edit: `<code>-2`, `-3` … */
export async function freeCode(tx: Queryable, base: string, name: string): Promise<{ code: string; name: string }> {
  const taken = await tx.query<{ code: string; name: string }>(
    `SELECT code, name FROM grids WHERE code LIKE $1 || '-%' OR name LIKE $2 || '-%' UNION ALL SELECT code, name FROM edit`, [base, name])
  const codes = new Set(taken.rows.map((r) => r.code))
  const names = new Set(taken.rows.map((r) => r.name))
  for (let k = 2; ; k++) {
    if (!codes.has(`${base}-${k}`) && !names.has(`${name}-${k}`)) return { code: `${base}-${k}`, name: `${name}-${k}` }
  }
}

/** Metres of boundary two shapes share (within about a metre of each other), as SQL over two geometry expressions. */
export const SHARED_M = (a: string, b: string) => `ST_Length(ST_Intersection(ST_Boundary(${a}), ST_Buffer(${b}, 0.00001))::geography)`

/** grids sharing less boundary than this only touch (at a corner): not neighbours */
export const NEIGHBOUR_M = 3
