import type { Db } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError } from '../http/errors.ts'
import { assertGridInScope, assertHouseholdInScope } from '../access/scope.ts'
import { snapToGrid } from '../work-orders/repository.ts'
import { recordChanges } from './history.ts'

export interface NewHousehold {
  lon: number
  lat: number
  address: string
  houseNumber: string
}

/** A dwelling at a point, snapped to the grid it lies in (PostGIS), which must be the user's. */
export async function createHousehold(db: Db, h: NewHousehold, user: AuthUser): Promise<{ id: number; gridId: number }> {
  return db.transaction(async (tx) => {
    const { gridId } = await snapToGrid(tx, h.lon, h.lat)
    await assertGridInScope(tx, user, gridId)
    const r = await tx.query<{ id: number }>(
      `INSERT INTO households (grid_id, address, house_number, geom) VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326)) RETURNING id`,
      [gridId, h.address, h.houseNumber, h.lon, h.lat])
    const id = r.rows[0].id
    await recordChanges(tx, user, [{ householdId: id, kind: 'householdCreate', after: { gridId, address: h.address, houseNumber: h.houseNumber } }])
    return { id, gridId }
  })
}

/** 分户: some members of a household start a household of their own, at the same dwelling or another point. */
export async function splitHousehold(
  db: Db, id: number, s: { residentIds: number[]; address: string; houseNumber: string; lon?: number; lat?: number }, user: AuthUser,
): Promise<{ id: number; gridId: number | null }> {
  await assertHouseholdInScope(db, user, id)
  return db.transaction(async (tx) => {
    const members = await tx.query<{ id: number }>('SELECT id FROM residents WHERE household_id = $1 AND deregistered IS NULL FOR UPDATE', [id])
    const ids = new Set(members.rows.map((m) => m.id))
    const stray = s.residentIds.findIndex((r) => !ids.has(r))
    if (stray >= 0) throw new HttpError(400, `body/residentIds/${stray} is not a member of household ${id} (${s.residentIds[stray]})`)
    if (s.residentIds.length === ids.size) throw new HttpError(400, 'body/residentIds: at least one member must stay (to move everyone, move the household)')
    const home = (await tx.query<{ lon: number | null; lat: number | null; grid_id: number | null; village_id: number }>(
      'SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, grid_id, village_id FROM households WHERE id = $1', [id])).rows[0]
    const place = s.lon !== undefined && s.lat !== undefined ? { lon: s.lon, lat: s.lat } : home.lon !== null && home.lat !== null ? { lon: home.lon, lat: home.lat } : null
    // a dwelling not placed yet (待落图) splits into another one waiting beside it, in its grid or village
    const gridId = place ? (await snapToGrid(tx, place.lon, place.lat)).gridId : home.grid_id
    if (gridId !== null) await assertGridInScope(tx, user, gridId)
    const r = await tx.query<{ id: number }>(
      `INSERT INTO households (grid_id, village_id, address, house_number, geom)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($5, $6), 4326) END) RETURNING id`,
      [gridId, home.village_id, s.address, s.houseNumber, place?.lon ?? null, place?.lat ?? null])
    const created = r.rows[0].id
    await tx.query('UPDATE residents SET household_id = $2 WHERE id = ANY($1::int[])', [s.residentIds, created])
    await recordChanges(tx, user, [
      { householdId: id, kind: 'householdSplit', after: { newHouseholdId: created, residentIds: s.residentIds } },
      { householdId: created, kind: 'householdCreate', after: { gridId, address: s.address, houseNumber: s.houseNumber, splitFrom: id } },
      ...s.residentIds.map((rid) => ({ residentId: rid, householdId: created, kind: 'moveHousehold' as const, field: 'householdId', before: id, after: created, note: '分户' })),
    ])
    return { id: created, gridId }
  })
}

/**
 * 合户: the members of one household join another. The dwelling they leave stays on the map,
 * empty: a house does not vanish when families merge (以房管人).
 */
export async function mergeHousehold(db: Db, id: number, fromId: number, user: AuthUser): Promise<{ id: number; moved: number }> {
  if (id === fromId) throw new HttpError(400, 'body/fromHouseholdId is the same household')
  await assertHouseholdInScope(db, user, id)
  await assertHouseholdInScope(db, user, fromId)
  return db.transaction(async (tx) => {
    const moved = await tx.query<{ id: number }>(
      'UPDATE residents SET household_id = $2 WHERE household_id = $1 AND deregistered IS NULL RETURNING id', [fromId, id])
    if (!moved.rows.length) throw new HttpError(409, `household ${fromId} has no registered members to merge`)
    await recordChanges(tx, user, [
      { householdId: id, kind: 'householdMerge', after: { fromHouseholdId: fromId, residentIds: moved.rows.map((m) => m.id) } },
      ...moved.rows.map((m) => ({ residentId: m.id, householdId: id, kind: 'moveHousehold' as const, field: 'householdId', before: fromId, after: id, note: '合户' })),
    ])
    return { id, moved: moved.rows.length }
  })
}
