import type { Queryable } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { freeCode, NEIGHBOUR_M, POLYGONAL, SHAPE, SHARED_M, type GridRow } from './edit-table.ts'

/**
 * The four drawing edits, each on the `edit` table of its transaction (edit-table.ts): what the
 * village's grids would be after it. None writes a grid; save.ts checks and writes the result.
 */

/** parts of a cut smaller than this are the cutter's noise, not land */
const NOISE_M2 = 1

export interface SplitOptions {
  /** names of the part that keeps the grid and of the new one */
  names?: [string, string]
  codes?: [string, string]
}

/**
 * 切分: the grid cut by a line (PostGIS ST_Split) into exactly two parts. The larger keeps the
 * grid (its id, code, worker, orders); the other is a new grid of the same kind, named and coded
 * `<name>-2`, `<code>-2` (the next free number) unless the caller names it.
 */
export async function splitGrid(tx: Queryable, grid: GridRow, line: string, o: SplitOptions): Promise<string> {
  const parts = await tx.query<{ hex: string; area: number }>(
    `SELECT encode(ST_AsBinary(d.geom), 'hex') AS hex, ST_Area(d.geom::geography) AS area
       FROM edit e, ST_Dump(ST_CollectionExtract(ST_Split(e.geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 3)) d
      WHERE e.id = $1 ORDER BY area DESC`, [grid.id, line])
  const land = parts.rows.filter((p) => p.area > NOISE_M2)
  if (land.length < 2) {
    throw new HttpError(400, `body/line does not cut ${grid.name} (${grid.code}) in two: draw it across the grid, from outside one edge to outside another`, 'line_not_across')
  }
  if (land.length > 2) {
    throw new HttpError(400, `body/line cuts ${grid.name} (${grid.code}) into ${land.length} parts: draw a line that cuts it in two (cross it once)`, 'line_cuts_many')
  }
  const crumbs = parts.rows.filter((p) => p.area <= NOISE_M2).map((p) => p.hex)
  // the larger part, with any crumbs of the cut, stays the grid
  await tx.query(
    `UPDATE edit SET geom = ${POLYGONAL(`ST_Union(ARRAY[${SHAPE(2)}] || ARRAY(SELECT ST_SetSRID(ST_GeomFromWKB(decode(x, 'hex')), 4326) FROM unnest($3::text[]) x))`)},
                     name = coalesce($4, name), code = coalesce($5, code)
      WHERE id = $1`, [grid.id, land[0].hex, crumbs, o.names?.[0] ?? null, o.codes?.[0] ?? null])
  const made = await freeCode(tx, grid.code, grid.name)
  const code = o.codes?.[1] ?? made.code
  const name = o.names?.[1] ?? made.name
  await tx.query(`INSERT INTO edit (id, code, name, kind, geom) VALUES (NULL, $1, $2, $3, ${SHAPE(4)})`, [code, name, grid.kind, land[1].hex])
  return `split ${grid.name} (${grid.code}) by a line into ${o.names?.[0] ?? grid.name} (${o.codes?.[0] ?? grid.code}) and ${name} (${code})`
}

/**
 * 合并: grids of one village that share boundaries (each joined to the others through shared
 * edges, not only corners) become one: the kept grid (`keep`, else the largest) takes their
 * union; the others are retired when saved.
 */
export async function mergeGrids(tx: Queryable, grids: GridRow[], keep: number | undefined, name: string | undefined): Promise<string> {
  const ids = grids.map((g) => g.id)
  const pairs = await tx.query<{ a: number; b: number }>(
    `SELECT a.id AS a, b.id AS b FROM edit a JOIN edit b ON a.id < b.id AND ST_DWithin(a.geom, b.geom, 0.00001)
      WHERE a.id = ANY ($1::int[]) AND b.id = ANY ($1::int[]) AND ${SHARED_M('a.geom', 'b.geom')} > ${NEIGHBOUR_M}`, [ids])
  // joined through shared edges: a walk from the first reaches them all
  const reached = new Set([ids[0]])
  for (let grew = true; grew;) {
    grew = false
    for (const p of pairs.rows) {
      if (reached.has(p.a) !== reached.has(p.b)) {
        reached.add(p.a)
        reached.add(p.b)
        grew = true
      }
    }
  }
  const apart = grids.filter((g) => !reached.has(g.id))
  if (apart.length) {
    throw new HttpError(400, `body/ids: ${apart.map((g) => `${g.name} (${g.code})`).join(', ')} share${apart.length > 1 ? '' : 's'} no boundary with ${grids[0].name} (${grids[0].code}) and the grids joined to it: only neighbours merge`, 'grids_not_adjacent')
  }
  const kept = keep ?? (await tx.query<{ id: number }>(
    'SELECT id FROM edit WHERE id = ANY ($1::int[]) ORDER BY ST_Area(geom::geography) DESC, id LIMIT 1', [ids])).rows[0].id
  await tx.query(
    `UPDATE edit SET geom = (SELECT ${POLYGONAL('ST_Union(geom)')} FROM edit WHERE id = ANY ($2::int[])), name = coalesce($3, name) WHERE id = $1`,
    [kept, ids, name ?? null])
  await tx.query('DELETE FROM edit WHERE id = ANY ($1::int[]) AND id <> $2', [ids, kept])
  const k = grids.find((g) => g.id === kept)!
  return `merged ${grids.map((g) => `${g.name} (${g.code})`).join(', ')} into ${name ?? k.name} (${k.code})`
}

/**
 * What a grid no longer holds, each piece given to the neighbour it shares the longest boundary
 * with (a base grid before an exclusive one: a school does not grow because its neighbour
 * shrank). A piece no neighbour borders (a hole left inside) stays uncovered: the 四无 check
 * names it as a gap.
 */
async function giveAway(tx: Queryable, gridId: number, pieces: string[]): Promise<void> {
  for (const hex of pieces) {
    const to = await tx.query<{ id: number }>(
      `SELECT e.id FROM edit e, (SELECT ${SHAPE(2)} AS p) x
        WHERE e.id IS DISTINCT FROM $1 AND ST_DWithin(e.geom, x.p, 0.00001) AND ${SHARED_M('x.p', 'e.geom')} > ${NEIGHBOUR_M}
        ORDER BY (e.kind = 'base') DESC, ${SHARED_M('x.p', 'e.geom')} DESC LIMIT 1`, [gridId, hex])
    if (to.rows.length) await tx.query(`UPDATE edit SET geom = ${POLYGONAL(`ST_Union(geom, ${SHAPE(2)})`)} WHERE id = $1`, [to.rows[0].id, hex])
  }
}

/**
 * 调整边界: the grid takes its new shape; its neighbours give up what the shape now covers, and
 * what it gave up goes to its neighbours (giveAway), so the village stays covered.
 */
export async function reshapeGrid(tx: Queryable, grid: GridRow, shape: string): Promise<string> {
  await tx.query(`UPDATE edit SET geom = ${POLYGONAL(`ST_Difference(geom, ${SHAPE(2)})`)}
                   WHERE id <> $1 AND ST_Intersects(geom, ${SHAPE(2)})`, [grid.id, shape])
  const freed = await tx.query<{ hex: string }>(
    `SELECT encode(ST_AsBinary(d.geom), 'hex') AS hex FROM edit e, ST_Dump(${POLYGONAL(`ST_Difference(e.old, ${SHAPE(2)})`)}) d
      WHERE e.id = $1 AND ST_Area(d.geom::geography) > ${NOISE_M2}`, [grid.id, shape])
  await tx.query(`UPDATE edit SET geom = ${SHAPE(2)} WHERE id = $1`, [grid.id, shape])
  await giveAway(tx, grid.id, freed.rows.map((r) => r.hex))
  return `reshaped ${grid.name} (${grid.code})`
}

/**
 * 新建网格 (专属网格: a school, a hospital, a park, a market): drawn over the base grids, which
 * give up what it covers. An exclusive grid it overlaps keeps its land: the check names the overlap.
 */
export async function carveGrid(tx: Queryable, g: { name: string; code: string; kind: 'base' | 'exclusive' }, shape: string): Promise<string> {
  await tx.query(`UPDATE edit SET geom = ${POLYGONAL(`ST_Difference(geom, ${SHAPE(1)})`)}
                   WHERE kind = 'base' AND ST_Intersects(geom, ${SHAPE(1)})`, [shape])
  await tx.query(`INSERT INTO edit (id, code, name, kind, geom) VALUES (NULL, $2, $3, $4, ${SHAPE(1)})`, [shape, g.code, g.name, g.kind])
  return `drew ${g.kind === 'exclusive' ? 'exclusive' : 'base'} grid ${g.name} (${g.code})`
}
