import type { Db, Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { VehicleDispatch } from '../../geo/vehicles.ts'
import type { LatestFix } from './ingest.ts'

export const DISPATCH_CHANNEL = 'vehicle_dispatches'

const DISPATCH_JSON = `json_build_object(
  'id', d.id, 'vehicleId', d.vehicle_id, 'plate', (SELECT plate FROM vehicles WHERE id = d.vehicle_id),
  'collectionPointId', d.collection_point_id, 'collectionPointName', c.name,
  'lon', ST_X(c.geom), 'lat', ST_Y(c.geom), 'note', d.note, 'state', d.state, 'createdBy', d.created_by,
  'createdAt', to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'doneAt', to_char(d.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`

/** Runs a data-modifying statement on vehicle_dispatches (as CTE `d`) and announces each changed row. */
async function changeAndAnnounce(q: Queryable, cte: string, params: unknown[]): Promise<VehicleDispatch[]> {
  const r = await q.query<{ dispatch: VehicleDispatch }>(
    `WITH d AS (${cte})
     SELECT ${DISPATCH_JSON} AS dispatch, pg_notify('${DISPATCH_CHANNEL}', ${DISPATCH_JSON}::text)
     FROM d JOIN collection_points c ON c.id = d.collection_point_id`,
    params,
  )
  return r.rows.map((row) => row.dispatch)
}

/** Sends a truck to a collection point; an order it still had is cancelled in the same transaction. */
export async function createDispatch(db: Db, vehicleId: number, collectionPointId: number, note: string, username: string): Promise<VehicleDispatch> {
  return db.transaction(async (tx) => {
    const truck = (await tx.query<{ retired: boolean }>('SELECT retired_at IS NOT NULL AS retired FROM vehicles WHERE id = $1', [vehicleId])).rows[0]
    if (!truck) throw notFound(`vehicle ${vehicleId}`)
    if (truck.retired) throw new HttpError(409, `vehicle ${vehicleId} is retired`, 'vehicle_retired')
    const point = (await tx.query<{ retired: boolean }>('SELECT retired_at IS NOT NULL AS retired FROM collection_points WHERE id = $1', [collectionPointId])).rows[0]
    if (!point) throw new HttpError(400, `body/collectionPointId ${collectionPointId} is not a known collection point`)
    // a retired point stays in history (past orders, stops) but no truck is sent there
    if (point.retired) throw new HttpError(409, `body/collectionPointId ${collectionPointId} is a retired collection point`, 'collection_point_retired')
    await changeAndAnnounce(
      tx,
      `UPDATE vehicle_dispatches SET state = 'cancelled', done_at = now(), done_by = $2 WHERE vehicle_id = $1 AND state = 'sent' RETURNING *`,
      [vehicleId, username],
    )
    const [created] = await changeAndAnnounce(
      tx,
      `INSERT INTO vehicle_dispatches (vehicle_id, collection_point_id, note, created_by) VALUES ($1, $2, $3, $4) RETURNING *`,
      [vehicleId, collectionPointId, note, username],
    )
    return created
  })
}

export async function cancelDispatch(db: Db, id: number, username: string): Promise<VehicleDispatch> {
  const [done] = await changeAndAnnounce(
    db,
    `UPDATE vehicle_dispatches SET state = 'cancelled', done_at = now(), done_by = $2 WHERE id = $1 AND state = 'sent' RETURNING *`,
    [id, username],
  )
  if (done) return done
  const exists = await db.query<{ state: string }>('SELECT state FROM vehicle_dispatches WHERE id = $1', [id])
  if (!exists.rows.length) throw notFound(`dispatch ${id}`)
  throw new HttpError(409, `dispatch ${id} is already ${exists.rows[0].state}`)
}

export async function listDispatches(db: Queryable, activeOnly: boolean, limit: number): Promise<VehicleDispatch[]> {
  const r = await db.query<{ dispatch: VehicleDispatch }>(
    `SELECT ${DISPATCH_JSON} AS dispatch FROM vehicle_dispatches d JOIN collection_points c ON c.id = d.collection_point_id
     WHERE NOT $1::boolean OR d.state = 'sent' ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
    [activeOnly, limit],
  )
  return r.rows.map((row) => row.dispatch)
}

/**
 * Marks orders done when their truck stands at the collection point. Called with each
 * ingested batch's newest fixes; the active orders are known from NOTIFY, so a batch with
 * no dispatched truck in it costs nothing.
 */
export class DispatchTracker {
  private readonly active = new Map<number, VehicleDispatch>()

  constructor(
    private readonly db: Db,
    private readonly arriveMeters: number,
  ) {}

  async load(): Promise<void> {
    for (const d of await listDispatches(this.db, true, 10_000)) this.active.set(d.vehicleId, d)
  }

  isActive(vehicleId: number): boolean {
    return this.active.has(vehicleId)
  }

  heard(d: VehicleDispatch): void {
    if (d.state === 'sent') this.active.set(d.vehicleId, d)
    else if (this.active.get(d.vehicleId)?.id === d.id) this.active.delete(d.vehicleId)
  }

  async check(fixes: LatestFix[]): Promise<void> {
    for (const f of fixes) {
      const d = this.active.get(f.vehicleId)
      if (!d || f.speedKmh >= 5) continue
      if (distanceMetres(f, d) > this.arriveMeters) continue
      this.active.delete(f.vehicleId)
      await changeAndAnnounce(
        this.db,
        `UPDATE vehicle_dispatches SET state = 'arrived', done_at = now(), done_by = 'gps' WHERE id = $1 AND state = 'sent' RETURNING *`,
        [d.id],
      )
    }
  }
}

/** equirectangular distance: exact enough within a township */
function distanceMetres(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const k = Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180))
  return Math.hypot((a.lon - b.lon) * 111_320 * k, (a.lat - b.lat) * 110_574)
}
