import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'

export type TerminalCrs = 'wgs84' | 'gcj02'

export interface Terminal {
  phone: string
  vehicleId: number
  plate: string
  protocol: 'jt808'
  crs: TerminalCrs
  /** what the terminal reported about itself when it registered */
  device: Record<string, unknown>
  registeredAt: string | null
  lastSeenAt: string | null
  createdBy: string
  createdAt: string
}

/** A terminal as the gateway needs it while the connection lasts. */
export interface TerminalBinding {
  phone: string
  vehicleId: number
  crs: TerminalCrs
  authCode: string | null
}

/** Terminals are unbound and rebound by admins; every gateway process drops the old session. */
export const TERMINALS_CHANNEL = 'terminals_changed'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const TERMINAL_JSON = `json_build_object(
  'phone', t.phone, 'vehicleId', t.vehicle_id, 'plate', v.plate, 'protocol', t.protocol, 'crs', t.crs,
  'device', t.device, 'registeredAt', ${iso('t.registered_at')}, 'lastSeenAt', ${iso('t.last_seen_at')},
  'createdBy', t.created_by, 'createdAt', ${iso('t.created_at')})`

export async function listTerminals(db: Queryable): Promise<Terminal[]> {
  const r = await db.query<{ t: Terminal }>(`SELECT ${TERMINAL_JSON} AS t FROM terminals t JOIN vehicles v ON v.id = t.vehicle_id ORDER BY t.vehicle_id`)
  return r.rows.map((row) => row.t)
}

export interface NewTerminal {
  phone: string
  vehicleId: number
  crs: TerminalCrs
}

export async function createTerminal(db: Queryable, t: NewTerminal, by: string): Promise<Terminal> {
  const vehicle = await db.query<{ phone: string | null }>(
    'SELECT (SELECT phone FROM terminals WHERE vehicle_id = v.id) AS phone FROM vehicles v WHERE v.id = $1', [t.vehicleId])
  if (!vehicle.rows.length) throw new HttpError(400, `body/vehicleId is not a known vehicle (${t.vehicleId})`)
  if (vehicle.rows[0].phone) throw new HttpError(409, `vehicle ${t.vehicleId} already has terminal ${vehicle.rows[0].phone}; unbind it first`)
  const r = await db.query<{ t: Terminal }>(
    `WITH t AS (INSERT INTO terminals (phone, vehicle_id, crs, created_by) VALUES ($1, $2, $3, $4)
                ON CONFLICT DO NOTHING RETURNING *)
     SELECT ${TERMINAL_JSON} AS t FROM t JOIN vehicles v ON v.id = t.vehicle_id`,
    [t.phone, t.vehicleId, t.crs, by],
  )
  if (!r.rows.length) throw new HttpError(409, `terminal ${t.phone} is already bound (or the vehicle was bound a moment ago)`)
  return r.rows[0].t
}

export async function deleteTerminal(db: Queryable, phone: string): Promise<void> {
  const r = await db.query(
    `WITH d AS (DELETE FROM terminals WHERE phone = $1 RETURNING phone) SELECT pg_notify('${TERMINALS_CHANNEL}', phone) FROM d`, [phone])
  if (!r.rows.length) throw notFound(`terminal ${phone}`)
}

export async function findBinding(db: Queryable, phone: string): Promise<TerminalBinding | null> {
  const r = await db.query<{ phone: string; vehicle_id: number; crs: TerminalCrs; auth_code: string | null }>(
    'SELECT phone, vehicle_id, crs, auth_code FROM terminals WHERE phone = $1', [phone])
  const row = r.rows[0]
  return row ? { phone: row.phone, vehicleId: row.vehicle_id, crs: row.crs, authCode: row.auth_code } : null
}

/** Registration: a new auth code each time, and what the terminal says about itself. */
export async function recordRegistration(db: Queryable, phone: string, authCode: string, device: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE terminals SET auth_code = $2, device = $3::jsonb, registered_at = now(), last_seen_at = now() WHERE phone = $1',
    [phone, authCode, JSON.stringify(device)])
}

/** Last-seen times of many terminals in one statement (the gateway flushes them every few seconds). */
export async function recordSeen(db: Queryable, seen: Map<string, number>): Promise<void> {
  if (!seen.size) return
  await db.query(
    `UPDATE terminals t SET last_seen_at = GREATEST(t.last_seen_at, s.at)
       FROM unnest($1::text[], $2::float8[]) AS u(phone, ms), LATERAL (SELECT to_timestamp(u.ms / 1000) AS at) s
      WHERE t.phone = u.phone`,
    [[...seen.keys()], [...seen.values()]],
  )
}
