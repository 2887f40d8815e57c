import gcoord from 'gcoord'
import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HOUSEHOLD_COLUMNS, scopeCondition } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { maskAddress } from '../privacy/mask.ts'
import { recordChanges, type Change } from './history.ts'

// 待落图: households from 公安's list without coordinates wait until someone places them, a grid
// worker standing at the door (一标三实) or a cadre on the desk's map.

/**
 * Which households a user may place: her scope's, and for a grid worker also the households of
 * her village that have no grid yet (nobody's grid: whoever reaches the door first places them).
 */
function placeable(user: AuthUser, params: unknown[]): string {
  const s = user.scope
  if (s.level !== 'grid') return scopeCondition(user, HOUSEHOLD_COLUMNS, params)
  return `(h.grid_id = $${params.push(s.gridId)}::int OR (h.grid_id IS NULL AND h.village_id = $${params.push(s.villageId)}::int))`
}

export interface UnplacedHousehold {
  id: number
  code: string | null
  /** the house number withheld, as every household list shows it */
  address: string
  villageId: number
  villageName: string
  gridId: number | null
  gridName: string | null
  /** registered members */
  residents: number
}

/** The caller's households without a point, a page at a time (by village, then 户号). */
export async function listUnplaced(
  db: Queryable, user: AuthUser, f: { villageId?: number; q?: string; limit: number; offset: number },
): Promise<{ total: number; items: UnplacedHousehold[] }> {
  const params: unknown[] = [f.limit, f.offset]
  const where = ['h.geom IS NULL', placeable(user, params)]
  if (f.villageId !== undefined) where.push(`h.village_id = $${params.push(f.villageId)}::int`)
  if (f.q) where.push(`(h.code LIKE $${params.push(f.q.replace(/[\\%_]/g, (c) => '\\' + c) + '%')} OR h.address LIKE '%' || $${params.length} )`)
  const r = await db.query<{ id: number; code: string | null; address: string; house_number: string; village_id: number; village_name: string; grid_id: number | null; grid_name: string | null; residents: number; total: number }>(
    `SELECT h.id, h.code, h.address, h.house_number, h.village_id, v.name AS village_name, h.grid_id, g.name AS grid_name,
            (SELECT count(*)::int FROM residents r WHERE r.household_id = h.id AND r.deregistered IS NULL) AS residents,
            count(*) OVER ()::int AS total
       FROM households h JOIN villages v ON v.id = h.village_id LEFT JOIN grids g ON g.id = h.grid_id
      WHERE ${where.join(' AND ')}
      ORDER BY h.village_id, h.code NULLS LAST, h.id LIMIT $1 OFFSET $2`, params)
  return {
    total: r.rows[0]?.total ?? 0,
    items: r.rows.map((h) => ({
      id: h.id, code: h.code, address: maskAddress(h.address, h.house_number), villageId: h.village_id, villageName: h.village_name,
      gridId: h.grid_id, gridName: h.grid_name, residents: h.residents,
    })),
  }
}

export interface Placed {
  id: number
  gridId: number
  villageId: number
  location: [number, number]
  /** false when the household already stood there (a replay, the same point twice) */
  changed: boolean
}

/**
 * Places (or moves) a household at a point: the current grid covering it (base grids first)
 * becomes its grid, and must be the user's (a grid worker's grid, a cadre's village). The same
 * point again changes nothing, and a phone's replay (the same clientKey) returns the first
 * answer, so an outbox may send it twice. Every move is a history row.
 */
export async function placeHousehold(
  db: Db, id: number, p: { lon: number; lat: number; crs?: 'wgs84' | 'gcj02'; clientKey?: string }, user: AuthUser,
): Promise<Placed> {
  const [lon, lat] = p.crs === 'gcj02' ? (gcoord.transform([p.lon, p.lat], gcoord.GCJ02, gcoord.WGS84) as [number, number]) : [p.lon, p.lat]
  return db.transaction(async (tx) => {
    const params: unknown[] = [id]
    const h = (await tx.query<{ grid_id: number | null; lon: number | null; lat: number | null; allowed: boolean | null }>(
      `SELECT h.grid_id, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, ${placeable(user, params)} AS allowed FROM households h WHERE h.id = $1 FOR UPDATE`, params)).rows[0]
    if (!h) throw notFound(`household ${id}`)
    if (!h.allowed) throw new HttpError(403, `household ${id} is outside your scope`)
    if (p.clientKey) {
      const again = await tx.query<{ actor: string; household_id: number | null }>('SELECT actor, household_id FROM population_changes WHERE client_key = $1', [p.clientKey])
      if (again.rows.length && (again.rows[0].actor !== user.username || again.rows[0].household_id !== id)) throw new HttpError(409, 'body/clientKey is already used by another change')
      if (again.rows.length) return current(tx, id)
    }
    const grid = await gridAt(tx, lon, lat, user)
    if (h.lon === lon && h.lat === lat && h.grid_id === grid.id) return { id, gridId: grid.id, villageId: grid.villageId, location: [lon, lat], changed: false }
    await tx.query('UPDATE households SET grid_id = $2, geom = ST_SetSRID(ST_MakePoint($3, $4), 4326) WHERE id = $1', [id, grid.id, lon, lat])
    const changes: Change[] = [{ householdId: id, kind: 'update', field: 'location', before: h.lon === null ? null : [h.lon, h.lat], after: [lon, lat], clientKey: p.clientKey ?? null }]
    if (h.grid_id !== grid.id) changes.push({ householdId: id, kind: 'update', field: 'gridId', before: h.grid_id, after: grid.id })
    await recordChanges(tx, user, changes)
    return { id, gridId: grid.id, villageId: grid.villageId, location: [lon, lat], changed: true }
  })
}

async function current(db: Queryable, id: number): Promise<Placed> {
  const r = (await db.query<{ grid_id: number; village_id: number; lon: number; lat: number }>(
    'SELECT grid_id, village_id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM households WHERE id = $1', [id])).rows[0]
  return { id, gridId: r.grid_id, villageId: r.village_id, location: [r.lon, r.lat], changed: false }
}

/** The current grid covering a point (base grids first): 422 outside every one, 403 when it is not the user's. */
async function gridAt(db: Queryable, lon: number, lat: number, user: AuthUser): Promise<{ id: number; villageId: number }> {
  const params: unknown[] = [lon, lat]
  const r = await db.query<{ id: number; village_id: number; name: string; mine: boolean | null }>(
    `SELECT g.id, g.village_id, g.name, ${scopeCondition(user, { village: 'g.village_id', grid: 'g.id' }, params)} AS mine
       FROM grids g WHERE g.retired_at IS NULL AND ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
      ORDER BY g.kind = 'base' DESC, g.id`, params)
  const at = `(${lon.toFixed(6)}, ${lat.toFixed(6)})`
  if (!r.rows.length) throw new HttpError(422, `body/lon,lat ${at} lies outside every grid of the county`, 'outside_grids')
  // the user's own grid where grids meet, or where an exclusive grid lies over a base one
  const mine = r.rows.find((g) => g.mine)
  if (!mine) throw new HttpError(403, `body/lon,lat ${at} lies in grid ${r.rows[0].name}, outside your scope`)
  return { id: mine.id, villageId: mine.village_id }
}
