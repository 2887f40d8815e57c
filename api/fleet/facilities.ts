import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { isCountyWide, scopeCondition } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { RegisteredCollectionPoint, RegisteredPoint } from '../../geo/fleet.ts'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const POINT = `c.id, c.name, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.village_id AS "villageId", v.name AS "villageName",
  c.grid_id AS "gridId", g.name AS "gridName", c.bins, ${iso('c.retired_at')} AS "retiredAt"`
const POINT_FROM = 'collection_points c JOIN villages v ON v.id = c.village_id JOIN grids g ON g.id = c.grid_id'

export async function listCollectionPoints(db: Queryable, user: AuthUser, retired: boolean): Promise<RegisteredCollectionPoint[]> {
  const params: unknown[] = []
  const cond = scopeCondition(user, { village: 'c.village_id' }, params)
  const r = await db.query<RegisteredCollectionPoint>(
    `SELECT ${POINT} FROM ${POINT_FROM} WHERE ${cond} AND (c.retired_at IS NOT NULL) = ${retired} ORDER BY v.name, c.name, c.id`, params)
  return r.rows
}

async function getCollectionPoint(db: Queryable, user: AuthUser, id: number): Promise<RegisteredCollectionPoint> {
  const params: unknown[] = [id]
  const cond = scopeCondition(user, { village: 'c.village_id' }, params)
  const r = await db.query<RegisteredCollectionPoint & { allowed: boolean }>(`SELECT ${cond} AS allowed, ${POINT} FROM ${POINT_FROM} WHERE c.id = $1`, params)
  const row = r.rows[0]
  if (!row) throw notFound(`collection point ${id}`)
  if (!row.allowed) throw new HttpError(403, `collection point ${id} is outside your scope`)
  const { allowed: _a, ...point } = row
  return point
}

/**
 * The grid a collection point stands in, within its village when one is named (base grids
 * first): 422 outside_grids when no grid covers it, outside_village when it lies in another
 * village than the one named, 403 when that village is outside the caller's town.
 */
export async function gridOfPoint(db: Queryable, user: AuthUser, lon: number, lat: number, field = 'body/lon,lat'): Promise<{ gridId: number; villageId: number }> {
  const params: unknown[] = [lon, lat]
  const cond = scopeCondition(user, { village: 'g.village_id' }, params)
  const r = await db.query<{ id: number; village_id: number; allowed: boolean }>(
    `SELECT g.id, g.village_id, ${cond} AS allowed FROM grids g
      WHERE g.retired_at IS NULL AND ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
      ORDER BY g.kind = 'base' DESC, g.id LIMIT 1`, params)
  const g = r.rows[0]
  if (!g) throw new HttpError(422, `${field} (${lon.toFixed(6)}, ${lat.toFixed(6)}) lies outside every grid of the county`, 'outside_grids')
  if (!g.allowed) throw new HttpError(403, `${field} lies in a village outside your scope`)
  return { gridId: g.id, villageId: g.village_id }
}

export interface PointInput {
  name: string
  lon: number
  lat: number
  bins?: number
}

export async function createCollectionPoint(db: Db, user: AuthUser, p: PointInput): Promise<RegisteredCollectionPoint> {
  const at = await gridOfPoint(db, user, p.lon, p.lat)
  const r = await db.query<{ id: number }>(
    `INSERT INTO collection_points (village_id, grid_id, name, bins, geom) VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326)) RETURNING id`,
    [at.villageId, at.gridId, p.name, p.bins ?? 1, p.lon, p.lat])
  return getCollectionPoint(db, user, r.rows[0].id)
}

export async function patchCollectionPoint(db: Db, user: AuthUser, id: number, p: Partial<PointInput>): Promise<RegisteredCollectionPoint> {
  const cur = await getCollectionPoint(db, user, id)
  if (cur.retiredAt) throw new HttpError(409, `collection point ${id} is retired`, 'collection_point_retired')
  if ((p.lon === undefined) !== (p.lat === undefined)) throw new HttpError(400, `body/${p.lon === undefined ? 'lon' : 'lat'} is required with body/${p.lon === undefined ? 'lat' : 'lon'}`)
  const moved = p.lon !== undefined && (p.lon !== cur.lon || p.lat !== cur.lat)
  const at = moved ? await gridOfPoint(db, user, p.lon!, p.lat!) : { gridId: cur.gridId, villageId: cur.villageId }
  await db.query(
    `UPDATE collection_points SET name = coalesce($2, name), bins = coalesce($3, bins), village_id = $4, grid_id = $5,
            geom = CASE WHEN $6::boolean THEN ST_SetSRID(ST_MakePoint($7, $8), 4326) ELSE geom END
      WHERE id = $1`,
    [id, p.name ?? null, p.bins ?? null, at.villageId, at.gridId, moved, p.lon ?? 0, p.lat ?? 0])
  return getCollectionPoint(db, user, id)
}

/** 停用: off the map and out of dispatch; past orders, stops and routes keep it. */
export async function retireCollectionPoint(db: Db, user: AuthUser, id: number): Promise<RegisteredCollectionPoint> {
  await getCollectionPoint(db, user, id)
  await db.query('UPDATE collection_points SET retired_at = now(), retired_by = $2 WHERE id = $1 AND retired_at IS NULL', [id, user.username])
  return getCollectionPoint(db, user, id)
}

// Transfer stations (转运站) serve the county's trucks wherever they stand, often outside any
// village: the county's accounts keep them; a town's reads them.
const STATION = `s.id, s.name, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, ${iso('s.retired_at')} AS "retiredAt"`

export async function listTransferStations(db: Queryable, retired: boolean): Promise<RegisteredPoint[]> {
  return (await db.query<RegisteredPoint>(`SELECT ${STATION} FROM transfer_stations s WHERE (s.retired_at IS NOT NULL) = ${retired} ORDER BY s.name, s.id`)).rows
}

async function getStation(db: Queryable, id: number): Promise<RegisteredPoint> {
  const r = await db.query<RegisteredPoint>(`SELECT ${STATION} FROM transfer_stations s WHERE s.id = $1`, [id])
  if (!r.rows[0]) throw notFound(`transfer station ${id}`)
  return r.rows[0]
}

function countyOnly(user: AuthUser): void {
  if (!isCountyWide(user)) throw new HttpError(403, 'transfer stations are kept by the county\'s accounts')
}

export async function createTransferStation(db: Db, user: AuthUser, p: PointInput): Promise<RegisteredPoint> {
  countyOnly(user)
  const r = await db.query<{ id: number }>(
    'INSERT INTO transfer_stations (name, geom) VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326)) RETURNING id', [p.name, p.lon, p.lat])
  return getStation(db, r.rows[0].id)
}

export async function patchTransferStation(db: Db, user: AuthUser, id: number, p: Partial<PointInput>): Promise<RegisteredPoint> {
  countyOnly(user)
  const cur = await getStation(db, id)
  if (cur.retiredAt) throw new HttpError(409, `transfer station ${id} is retired`, 'transfer_station_retired')
  if ((p.lon === undefined) !== (p.lat === undefined)) throw new HttpError(400, `body/${p.lon === undefined ? 'lon' : 'lat'} is required with body/${p.lon === undefined ? 'lat' : 'lon'}`)
  await db.query(
    `UPDATE transfer_stations SET name = coalesce($2, name),
            geom = CASE WHEN $3::boolean THEN ST_SetSRID(ST_MakePoint($4, $5), 4326) ELSE geom END WHERE id = $1`,
    [id, p.name ?? null, p.lon !== undefined, p.lon ?? 0, p.lat ?? 0])
  return getStation(db, id)
}

export async function retireTransferStation(db: Db, user: AuthUser, id: number): Promise<RegisteredPoint> {
  countyOnly(user)
  await getStation(db, id)
  await db.query('UPDATE transfer_stations SET retired_at = now(), retired_by = $2 WHERE id = $1 AND retired_at IS NULL', [id, user.username])
  return getStation(db, id)
}
