import type { Queryable } from '../db/types.ts'

export interface SmallTownship {
  townId: number
  /** village ids, west to east */
  villages: number[]
  /** grid ids per village, in the order of `villages` */
  grids: number[][]
}

const SIZE = 0.01 // degrees: a village ~1 km across

/**
 * A township put in by SQL, as the imports would leave it (tests): a town, `villages` square
 * villages side by side near 117.4°E 35.1°N, each cut into `gridsPerVillage` strips that tile it,
 * the town's outline their union. Codes are `<town code>NNN` and `<village code>-GG`.
 */
export async function insertSmallTownship(
  db: Queryable,
  opts: { townCode?: string; townName?: string; villages?: number; gridsPerVillage?: number; townId?: number } = {},
): Promise<SmallTownship> {
  const townCode = opts.townCode ?? '371326100'
  const townId = opts.townId ?? (await db.query<{ id: number }>(
    `INSERT INTO towns (code, name) VALUES ($1, $2) RETURNING id`, [townCode, opts.townName ?? '新镇'])).rows[0].id
  const villages: number[] = []
  const grids: number[][] = []
  const n = opts.villages ?? 2
  const per = opts.gridsPerVillage ?? 2
  for (let i = 0; i < n; i++) {
    const x0 = 117.4 + i * SIZE
    const y0 = 35.1
    const v = (await db.query<{ id: number }>(
      `INSERT INTO villages (town_id, code, name, geom, label_point)
       SELECT $1, $2, $3, g, ST_PointOnSurface(g) FROM (SELECT ST_MakeEnvelope($4, $5, $6, $7, 4326) AS g) x RETURNING id`,
      [townId, `${townCode}${String(i + 1).padStart(3, '0')}`, `第${i + 1}村`, x0, y0, x0 + SIZE, y0 + SIZE])).rows[0].id
    villages.push(v)
    const mine: number[] = []
    for (let k = 0; k < per; k++) {
      const gx0 = x0 + (k * SIZE) / per
      const g = (await db.query<{ id: number }>(
        `INSERT INTO grids (village_id, code, name, kind, geom, label_point)
         SELECT $1, $2, $3, 'base', g, ST_PointOnSurface(g) FROM (SELECT ST_MakeEnvelope($4, $5, $6, $7, 4326) AS g) x RETURNING id`,
        [v, `${townCode}${String(i + 1).padStart(3, '0')}-${String(k + 1).padStart(2, '0')}`, `第${k + 1}网格`, gx0, y0, gx0 + SIZE / per, y0 + SIZE])).rows[0].id
      mine.push(g)
    }
    grids.push(mine)
  }
  await db.query(`UPDATE towns SET geom = (SELECT ST_Union(geom) FROM villages WHERE town_id = $1) WHERE id = $1`, [townId])
  return { townId, villages, grids }
}

/** a household in a grid, at the grid's label point, or 待落图 (no point) in a village */
export async function insertHousehold(db: Queryable, h: { code: string; gridId?: number; villageId?: number; placed?: boolean }): Promise<number> {
  const placed = h.placed ?? h.gridId !== undefined
  const r = await db.query<{ id: number }>(
    `INSERT INTO households (code, grid_id, village_id, address, house_number, geom)
     VALUES ($1, $2, coalesce($3, (SELECT village_id FROM grids WHERE id = $2)), $4, '', CASE WHEN $5 THEN (SELECT label_point FROM grids WHERE id = $2) END) RETURNING id`,
    [h.code, h.gridId ?? null, h.villageId ?? null, `测试地址${h.code}`, placed])
  return r.rows[0].id
}
