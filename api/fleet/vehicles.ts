import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { assertVillageInScope, ownTown } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { CLOSE_RETIRED } from '../vehicles/alerts.ts'
import { normalPlate, PLATE_RULE, plateKey, type RegisteredVehicle, type VehicleKind } from '../../geo/fleet.ts'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const COLUMNS = `v.id, v.plate, v.kind, v.name, v.driver_name AS "driverName", v.driver_phone AS "driverPhone",
  v.village_id AS "villageId", vl.name AS "villageName", v.town_id AS "townId", tw.name AS "townName",
  (SELECT t.phone FROM terminals t WHERE t.vehicle_id = v.id) AS terminal, ${iso('v.retired_at')} AS "retiredAt"`
const FROM = 'vehicles v LEFT JOIN villages vl ON vl.id = v.village_id LEFT JOIN towns tw ON tw.id = v.town_id'

/** What a town's account reaches: its town's trucks and the county's own (no town). */
function reach(user: AuthUser, params: unknown[]): string {
  const town = ownTown(user)
  return town === null ? 'TRUE' : `(v.town_id IS NULL OR v.town_id = $${params.push(town)}::int)`
}

/** The register: trucks on the road (or the retired ones), by plate. */
export async function listRegisteredVehicles(db: Queryable, user: AuthUser, retired: boolean): Promise<RegisteredVehicle[]> {
  const params: unknown[] = []
  const r = await db.query<RegisteredVehicle>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${reach(user, params)} AND (v.retired_at IS NOT NULL) = ${retired} ORDER BY v.plate, v.id`, params)
  return r.rows
}

export interface VehicleInput {
  plate: string
  kind: VehicleKind
  name: string
  driverName: string
  driverPhone?: string | null
  villageId?: number | null
}

/** The plate as the register keeps it, or a 400 naming the field (code invalid_plate). */
export function checkPlate(text: string, field = 'body/plate'): string {
  const plate = normalPlate(text)
  if (!plate) throw new HttpError(400, `${field} "${text}" is not a Chinese plate (${PLATE_RULE})`, 'invalid_plate')
  return plate
}

/** Plates already on a truck on the road, by their key (鲁QD1234), with the truck's id. */
export async function activePlates(db: Queryable, plates: string[]): Promise<Map<string, number>> {
  const r = await db.query<{ key: string; id: number }>(
    `SELECT replace(plate, '·', '') AS key, id FROM vehicles WHERE retired_at IS NULL AND replace(plate, '·', '') = ANY($1::text[])`,
    [plates.map(plateKey)])
  return new Map(r.rows.map((x) => [x.key, x.id]))
}

const taken = (plate: string, id: number) => new HttpError(409, `body/plate ${plate} is already on vehicle ${id}`, 'plate_taken')
const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505'

/**
 * The town a truck serves: its village's; without a village, a town's account's own town (a
 * town keeps its trucks), a county account's none (the county's fleet). A village outside the
 * caller's town is 403, an unknown one 404.
 */
async function placeOf(db: Queryable, user: AuthUser, villageId: number | null): Promise<{ villageId: number | null; townId: number | null }> {
  if (villageId === null) return { villageId: null, townId: ownTown(user) }
  await assertVillageInScope(db, user, villageId)
  const r = await db.query<{ town_id: number }>('SELECT town_id FROM villages WHERE id = $1', [villageId])
  return { villageId, townId: r.rows[0].town_id }
}

export async function createVehicle(db: Db, user: AuthUser, input: VehicleInput): Promise<RegisteredVehicle> {
  const plate = checkPlate(input.plate)
  const place = await placeOf(db, user, input.villageId ?? null)
  const clash = (await activePlates(db, [plate])).get(plateKey(plate))
  if (clash) throw taken(plate, clash)
  try {
    const r = await db.query<{ id: number }>(
      `INSERT INTO vehicles (plate, kind, name, driver_name, driver_phone, village_id, town_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [plate, input.kind, input.name, input.driverName, input.driverPhone ?? null, place.villageId, place.townId])
    return getVehicle(db, user, r.rows[0].id)
  } catch (err) {
    // two registrations of one plate at once: the index lets one in
    if (isUniqueViolation(err)) throw taken(plate, 0)
    throw err
  }
}

/** One truck of the register: 404 unknown, 403 another town's (or, for a town's account, the county's). */
export async function getVehicle(db: Queryable, user: AuthUser, id: number, forChange = false): Promise<RegisteredVehicle> {
  const r = await db.query<RegisteredVehicle>(`SELECT ${COLUMNS} FROM ${FROM} WHERE v.id = $1`, [id])
  const v = r.rows[0]
  if (!v) throw notFound(`vehicle ${id}`)
  const town = ownTown(user)
  // a town's account reads the county's trucks but keeps only its own
  if (town !== null && v.townId !== town && (forChange || v.townId !== null)) throw new HttpError(403, `vehicle ${id} is outside your scope`)
  return v
}

export async function patchVehicle(db: Db, user: AuthUser, id: number, p: Partial<VehicleInput>): Promise<RegisteredVehicle> {
  const cur = await getVehicle(db, user, id, true)
  if (cur.retiredAt) throw new HttpError(409, `vehicle ${id} is retired`, 'vehicle_retired')
  const plate = p.plate === undefined ? cur.plate : checkPlate(p.plate)
  if (plateKey(plate) !== plateKey(cur.plate)) {
    const clash = (await activePlates(db, [plate])).get(plateKey(plate))
    if (clash && clash !== id) throw taken(plate, clash)
  }
  const place = p.villageId === undefined ? { villageId: cur.villageId, townId: cur.townId } : await placeOf(db, user, p.villageId)
  try {
    await db.query(
      `UPDATE vehicles SET plate = $2, kind = coalesce($3, kind), name = coalesce($4, name), driver_name = coalesce($5, driver_name),
              driver_phone = CASE WHEN $6::boolean THEN $7 ELSE driver_phone END, village_id = $8, town_id = $9
        WHERE id = $1`,
      [id, plate, p.kind ?? null, p.name ?? null, p.driverName ?? null, p.driverPhone !== undefined, p.driverPhone ?? null, place.villageId, place.townId])
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(plate, 0)
    throw err
  }
  return getVehicle(db, user, id)
}

/**
 * 停用: the truck leaves the lists, the map, dispatch and ingest; its tracks, alerts and orders
 * stay. Its terminal must be unbound first (a terminal still reporting as a retired truck would
 * be refused fix by fix), and an order under way cancelled; its alerts are closed.
 */
export async function retireVehicle(db: Db, user: AuthUser, id: number): Promise<RegisteredVehicle> {
  const cur = await getVehicle(db, user, id, true)
  if (cur.retiredAt) return cur
  if (cur.terminal) throw new HttpError(409, `vehicle ${id} still has terminal ${cur.terminal}; unbind it on 车载终端 first`, 'vehicle_has_terminal')
  await db.transaction(async (tx) => {
    const busy = await tx.query(`SELECT 1 FROM vehicle_dispatches WHERE vehicle_id = $1 AND state = 'sent'`, [id])
    if (busy.rows.length) throw new HttpError(409, `vehicle ${id} is on a dispatch order; cancel it first`, 'vehicle_dispatched')
    await tx.query('UPDATE vehicles SET retired_at = now(), retired_by = $2 WHERE id = $1 AND retired_at IS NULL', [id, user.username])
    await tx.query(CLOSE_RETIRED, [id, user.username])
  })
  return getVehicle(db, user, id)
}
