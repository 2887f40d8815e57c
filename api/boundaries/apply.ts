import type { Queryable } from '../db/types.ts'
import type { Problem, Warning } from './four-nos.ts'

/**
 * Writing checked boundaries from the stage (`bnd`). A unit keeps its id when its code is found
 * again, so orders, visits, accounts and history that name it stay attached; grids a file or an
 * edit no longer holds are retired, not deleted; households follow the new lines.
 */

// one-part multipolygons are stored as polygons: most units are one piece
const SHAPE = (g: string) => `(CASE WHEN ST_NumGeometries(${g}) = 1 THEN ST_GeometryN(${g}, 1) ELSE ${g} END)`

/** Codes the stage would take from units it does not replace (unique across the county). */
export async function codesTaken(tx: Queryable, level: 'village' | 'grid', townId: number): Promise<Problem[]> {
  const r = level === 'village'
    ? await tx.query<{ label: string; code: string; other: string }>(
      `SELECT b.label, b.code, v.name AS other FROM bnd b JOIN villages v ON v.code = b.code AND v.town_id <> $1`, [townId])
    : await tx.query<{ label: string; code: string; other: string }>(
      `SELECT b.label, b.code, g.name || ' (' || v.name || ')' AS other FROM bnd b JOIN grids g ON g.code = b.code
         JOIN villages v ON v.id = g.village_id
        WHERE g.village_id IS DISTINCT FROM b.village_id AND g.id IS DISTINCT FROM b.target_id`)
  return r.rows.map((x) => ({ kind: 'codeTaken', features: [x.label], areaM2: 0, point: null, detail: `${x.code} is ${x.other}'s code` }))
}

export interface Written {
  n: number
  id: number
  action: 'new' | 'updated'
}

/** A town's villages from the stage: found by code and updated, or new; the town's outline follows. */
export async function applyVillages(tx: Queryable, townId: number): Promise<{ written: Written[]; warnings: Warning[] }> {
  const warnings: Warning[] = []
  const changed = await tx.query<{ id: number; name: string; grids: number }>(
    `SELECT v.id, v.name, (SELECT count(*)::int FROM grids g WHERE g.village_id = v.id AND g.retired_at IS NULL) AS grids
       FROM villages v JOIN bnd b ON b.code = v.code
      -- the bytes, not ST_Equals: PostGIS's join selectivity for it fails on a fresh temporary table
      WHERE v.town_id = $1 AND ST_AsBinary(v.geom) IS DISTINCT FROM ST_AsBinary(${SHAPE('b.geom')})`, [townId])
  const updated = await tx.query<{ id: number; n: number }>(
    `UPDATE villages v SET name = b.name, geom = ${SHAPE('b.geom')}, label_point = ST_PointOnSurface(b.geom)
       FROM bnd b WHERE v.town_id = $1 AND v.code = b.code RETURNING v.id, b.n`, [townId])
  const inserted = await tx.query<{ id: number; n: number }>(
    `WITH b AS (SELECT * FROM bnd WHERE code NOT IN (SELECT code FROM villages WHERE town_id = $1) ORDER BY n),
          ins AS (INSERT INTO villages (town_id, code, name, geom, label_point)
                  SELECT $1, code, name, ${SHAPE('geom')}, ST_PointOnSurface(geom) FROM b RETURNING id, code)
     SELECT ins.id, b.n FROM ins JOIN b ON b.code = ins.code`, [townId])
  await tx.query(`UPDATE towns SET geom = (SELECT ${SHAPE('ST_Multi(ST_Union(geom))')} FROM villages WHERE town_id = $1) WHERE id = $1`, [townId])
  const kept = await tx.query<{ name: string }>(`SELECT name FROM villages WHERE town_id = $1 AND code NOT IN (SELECT code FROM bnd) ORDER BY id`, [townId])
  if (kept.rows.length) warnings.push({ kind: 'notInFile', features: kept.rows.map((r) => r.name), detail: 'villages of the town not in the file are kept as they were' })
  const recheck = changed.rows.filter((r) => r.grids > 0)
  if (recheck.length) warnings.push({ kind: 'gridsToRecheck', features: recheck.map((r) => r.name), detail: 'these villages changed and have grids: import or redraw their grids' })
  return {
    written: [...updated.rows.map((r) => ({ ...r, action: 'updated' as const })), ...inserted.rows.map((r) => ({ ...r, action: 'new' as const }))],
    warnings,
  }
}

/**
 * The staged grids of each village they name: a grid found by its code (or the editor's id) is
 * updated and brought back if it had been retired; a new code is a new grid; the village's
 * current grids not staged are retired. Then the village's households are put in the grid that
 * holds their point, and the ones waiting to be placed lose a retired grid.
 */
export async function applyGrids(tx: Queryable): Promise<{ written: Written[]; retired: { id: number; name: string }[]; warnings: Warning[] }> {
  const warnings: Warning[] = []
  const updated = await tx.query<{ id: number; n: number }>(
    `UPDATE grids g SET name = b.name, code = b.code, kind = b.kind, geom = ${SHAPE('b.geom')}, label_point = ST_PointOnSurface(b.geom), retired_at = NULL
       FROM bnd b WHERE g.village_id = b.village_id AND (g.id = b.target_id OR (b.target_id IS NULL AND g.code = b.code))
     RETURNING g.id, b.n`)
  const inserted = await tx.query<{ id: number; n: number }>(
    `WITH b AS (SELECT * FROM bnd WHERE n NOT IN (SELECT unnest($1::int[])) ORDER BY n),
          ins AS (INSERT INTO grids (village_id, code, name, kind, geom, label_point)
                  SELECT village_id, code, name, kind, ${SHAPE('geom')}, ST_PointOnSurface(geom) FROM b RETURNING id, code)
     SELECT ins.id, b.n FROM ins JOIN b ON b.code = ins.code`, [updated.rows.map((r) => r.n)])
  const kept = [...updated.rows, ...inserted.rows].map((r) => r.id)
  const retired = await tx.query<{ id: number; name: string }>(
    `UPDATE grids SET retired_at = now()
      WHERE village_id IN (SELECT village_id FROM bnd) AND retired_at IS NULL AND id <> ALL ($1::int[])
     RETURNING id, name`, [kept])
  // households with a point: the current grid that covers it (the lowest id on a shared line);
  // one no grid covers any more (it lay outside the village) goes to the nearest grid of its village
  await tx.query(
    `WITH moved AS (
       SELECT h.id, coalesce(
         (SELECT g.id FROM grids g WHERE g.retired_at IS NULL AND g.geom && h.geom AND ST_Covers(g.geom, h.geom) ORDER BY g.id LIMIT 1),
         (SELECT g.id FROM grids g WHERE g.retired_at IS NULL AND g.village_id = h.village_id ORDER BY g.geom <-> h.geom LIMIT 1)) AS grid_id
         FROM households h WHERE h.geom IS NOT NULL AND h.village_id IN (SELECT village_id FROM bnd))
     UPDATE households h SET grid_id = m.grid_id FROM moved m WHERE h.id = m.id AND m.grid_id IS NOT NULL AND h.grid_id IS DISTINCT FROM m.grid_id`)
  await tx.query(`UPDATE households SET grid_id = NULL WHERE geom IS NULL AND grid_id IN (SELECT id FROM grids WHERE retired_at IS NOT NULL)`)
  const workers = await tx.query<{ username: string }>(`SELECT username FROM users WHERE grid_id = ANY ($1::int[]) ORDER BY username`, [retired.rows.map((r) => r.id)])
  if (workers.rows.length) {
    warnings.push({ kind: 'workerOfRetiredGrid', features: workers.rows.map((r) => r.username), detail: 'these grid workers\' grids were retired: give them their new grids in 账号管理' })
  }
  return {
    written: [...updated.rows.map((r) => ({ ...r, action: 'updated' as const })), ...inserted.rows.map((r) => ({ ...r, action: 'new' as const }))],
    retired: retired.rows,
    warnings,
  }
}
