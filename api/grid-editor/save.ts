import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { writeAudit, type Origin } from '../access/audit.ts'
import { createStage, stageFeatures, type StagedInput } from '../boundaries/stage.ts'
import { checkFeatures, checkGrids, type Problem, type Warning } from '../boundaries/four-nos.ts'
import { applyGrids } from '../boundaries/apply.ts'
import { WGS84 } from '../boundaries/crs.ts'
import type { Geometry } from 'geojson'

/**
 * Every drawing edit ends here: the village's grids as the edit leaves them (`edit`) are staged
 * like an imported file's, checked by the same 四无 rules (four-nos.ts: slivers snapped, real
 * overlaps and gaps refused) and, unless a dry run or a problem stops it, written by the
 * import's own apply.ts: ids kept, grids no longer there retired, households moved by their
 * points, roll-ups and data_changed by the tables' triggers. All in the caller's transaction.
 */

export interface EditReport {
  action: 'split' | 'merge' | 'reshape' | 'create'
  dryRun: boolean
  applied: boolean
  /** the village's grids after the edit, as checked (slivers snapped) */
  grids: { id: number | null; name: string; code: string; kind: 'base' | 'exclusive'; areaM2: number; change: 'new' | 'changed' | 'unchanged'; geometry: Geometry | null }[]
  /** grids the edit retires (a dry run: would retire) */
  retired: { id: number; name: string }[]
  /** households whose grid changes (a dry run: would change) */
  householdsMoved: number
  problems: Problem[]
  warnings: Warning[]
}

export interface SaveOptions {
  action: EditReport['action']
  villageId: number
  dryRun: boolean
  /** slivers thinner than this (metres) are snapped away, as the import does */
  snapM: number
  /** what the edit did, for the audit trail */
  summary: string
  user: Pick<AuthUser, 'id' | 'username' | 'role'>
  origin: Origin
}

/** Codes of the edit that another grid has, current or retired, in any village (codes are the county's). */
async function codesInUse(tx: Queryable): Promise<Problem[]> {
  const r = await tx.query<{ label: string; code: string; other: string }>(
    `SELECT b.label, b.code, g.name || ' (' || v.name || ')' AS other FROM bnd b JOIN grids g ON g.code = b.code JOIN villages v ON v.id = g.village_id
      WHERE g.id IS DISTINCT FROM b.target_id AND g.id NOT IN (SELECT target_id FROM bnd WHERE target_id IS NOT NULL)`)
  return r.rows.map((x) => ({ kind: 'codeTaken', features: [x.label], areaM2: 0, point: null, detail: `${x.code} is ${x.other}'s code` }))
}

export async function checkAndSave(tx: Queryable, o: SaveOptions): Promise<EditReport> {
  const rows = await tx.query<{ id: number | null; code: string; name: string; kind: 'base' | 'exclusive'; hex: string }>(
    `SELECT id, code, name, kind, encode(ST_AsBinary(geom), 'hex') AS hex FROM edit ORDER BY id NULLS LAST, code`)
  const staged: StagedInput[] = rows.rows.map((r, i) => ({
    n: i + 1, label: `${r.name} (${r.code})`, name: r.name, code: r.code, villageId: o.villageId, kind: r.kind, targetId: r.id, wkb: Buffer.from(r.hex, 'hex'),
  }))
  await createStage(tx)
  await stageFeatures(tx, staged, WGS84)
  const problems = [...(await checkFeatures(tx)), ...(await codesInUse(tx))]
  const warnings: Warning[] = []
  const repaired = await tx.query<{ label: string }>('SELECT label FROM bnd WHERE repaired ORDER BY n')
  for (const r of repaired.rows) warnings.push({ kind: 'repaired', features: [r.label], detail: 'a ring that crossed itself was repaired (ST_MakeValid)' })
  const checked = await checkGrids(tx, o.snapM)
  problems.push(...checked.problems)
  warnings.push(...checked.warnings)

  // the shapes as checked, before apply.ts writes them over the old ones
  const items = await tx.query<{ n: number; id: number | null; name: string; code: string; kind: 'base' | 'exclusive'; area: number | null; geometry: Geometry | null; changed: boolean }>(
    `SELECT b.n, b.target_id AS id, b.name, b.code, b.kind, ST_Area(b.geom::geography) AS area, ST_AsGeoJSON(b.geom, 7)::json AS geometry,
            (e.old IS NULL OR b.geom IS NULL OR NOT ST_Equals(e.old, b.geom) OR e.name <> g.name OR e.code <> g.code) AS changed
       FROM bnd b LEFT JOIN edit e ON e.id = b.target_id LEFT JOIN grids g ON g.id = b.target_id ORDER BY b.n`)
  // the stage through a materialised CTE: PostGIS's join selectivity between a fresh temporary
  // table and households far from it comes out of range ("invalid function selectivity")
  const moving = await tx.query<{ n: number }>(
    `WITH b AS MATERIALIZED (SELECT target_id, geom FROM bnd)
     SELECT count(*)::int AS n FROM households h
      WHERE h.village_id = $1 AND h.geom IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM b WHERE b.target_id = h.grid_id AND ST_Covers(b.geom, h.geom))`, [o.villageId])
  const report: EditReport = {
    action: o.action, dryRun: o.dryRun, applied: false, retired: [], householdsMoved: moving.rows[0].n, problems, warnings,
    grids: items.rows.map((r) => ({
      id: r.id, name: r.name, code: r.code, kind: r.kind, areaM2: Math.round((r.area ?? 0) * 10) / 10, geometry: r.geometry,
      change: r.id === null ? 'new' : r.changed ? 'changed' : 'unchanged',
    })),
  }
  // the grids the edit takes away (a merge's others): retired when it is saved
  report.retired = (await tx.query<{ id: number; name: string }>(
    `SELECT id, name FROM grids WHERE village_id = $1 AND retired_at IS NULL AND id NOT IN (SELECT target_id FROM bnd WHERE target_id IS NOT NULL) ORDER BY id`,
    [o.villageId])).rows
  if (o.dryRun || problems.length) return report

  await tx.query('CREATE TEMP TABLE households_before (id integer PRIMARY KEY, grid_id integer) ON COMMIT DROP')
  await tx.query('INSERT INTO households_before SELECT id, grid_id FROM households WHERE village_id = $1', [o.villageId])
  const done = await applyGrids(tx)
  const ids = new Map(done.written.map((w) => [w.n, w.id]))
  report.grids.forEach((g, i) => (g.id = ids.get(i + 1) ?? g.id))
  report.retired = done.retired
  report.warnings.push(...done.warnings)
  report.householdsMoved = (await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM households h JOIN households_before b ON b.id = h.id WHERE h.grid_id IS DISTINCT FROM b.grid_id`)).rows[0].n
  report.applied = true
  const made = report.grids.filter((g) => g.change === 'new').map((g) => `${g.name} (${g.code}) #${g.id}`)
  await writeAudit(tx, o.user, o.origin, {
    action: 'gridEdit',
    reason: [o.summary, made.length ? `new: ${made.join(', ')}` : '', report.retired.length ? `retired: ${report.retired.map((r) => `${r.name} #${r.id}`).join(', ')}` : '',
      `households moved: ${report.householdsMoved}`].filter(Boolean).join('; '),
  })
  return report
}
