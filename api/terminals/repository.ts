import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { ExpectedTerminal } from '../gateways/jt808/claim.ts'

export type TerminalCrs = 'wgs84' | 'gcj02'

export interface Terminal {
  phone: string
  vehicleId: number
  plate: string
  protocol: 'jt808'
  crs: TerminalCrs
  /** what the installer knows of the unit: a registration must match it */
  expected: ExpectedTerminal
  /** what the terminal reported about itself when it registered */
  device: Record<string, unknown>
  /** the last registration of this ID that was refused: what it said, from where, when */
  lastRefusal: TerminalRefusal | null
  /** signed in with the auth code it registered for: registrations are refused until an admin resets it */
  registered: boolean
  registeredAt: string | null
  lastSeenAt: string | null
  createdBy: string
  createdAt: string
}

export interface TerminalRefusal {
  at: string
  /** the 0x8100 result it got: 2 plate, 3 already registered, 4 not the unit bound */
  result: number
  /** the peer's address */
  from: string
  /** what the 0x0100 said (终端ID, 制造商ID, 型号, 车牌 and the rest) */
  sent: Record<string, unknown>
  /** the binding's fields it did not match */
  mismatched: string[]
}

/** A terminal as the gateway needs it while the connection lasts. */
export interface TerminalBinding {
  phone: string
  vehicleId: number
  crs: TerminalCrs
  authCode: string | null
  /** has signed in with authCode: registrations of this terminal are refused */
  signedIn: boolean
  /** what a registration must match */
  expected: ExpectedTerminal
}

/**
 * Terminals are unbound and reset by admins; every gateway process drops the old session.
 * The payload is the phone, followed by ":reset" for a reset (just the phone: unbound).
 */
export const TERMINALS_CHANNEL = 'terminals_changed'

export function terminalChange(payload: string): { phone: string; change: 'unbound' | 'reset' } {
  const [phone, change] = payload.split(':')
  return { phone, change: change === 'reset' ? 'reset' : 'unbound' }
}

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const TERMINAL_JSON = `json_build_object(
  'phone', t.phone, 'vehicleId', t.vehicle_id, 'plate', v.plate, 'protocol', t.protocol, 'crs', t.crs,
  'expected', json_build_object('terminalId', t.terminal_id, 'makerId', t.maker_id, 'model', t.model, 'plate', t.plate),
  'device', t.device, 'lastRefusal', t.refusal, 'registered', t.auth_code IS NOT NULL AND t.authenticated_at IS NOT NULL, 'registeredAt', ${iso('t.registered_at')}, 'lastSeenAt', ${iso('t.last_seen_at')},
  'createdBy', t.created_by, 'createdAt', ${iso('t.created_at')})`

export async function listTerminals(db: Queryable): Promise<Terminal[]> {
  const r = await db.query<{ t: Terminal }>(`SELECT ${TERMINAL_JSON} AS t FROM terminals t JOIN vehicles v ON v.id = t.vehicle_id ORDER BY t.vehicle_id`)
  return r.rows.map((row) => row.t)
}

export interface NewTerminal {
  phone: string
  vehicleId: number
  crs: TerminalCrs
  terminalId: string
  makerId: string
  model?: string | null
  /** the vehicle's own plate when not given */
  plate?: string
}

export type TerminalChange = Partial<Pick<NewTerminal, 'crs' | 'terminalId' | 'makerId' | 'model' | 'plate'>>

/**
 * The 2013 edition's 0x0100 has room for a 7-byte 终端ID, a 5-byte 制造商ID and a 20-byte
 * 型号 (2019: 30, 11, 30): a binding a unit of that edition can never match is refused.
 */
function assertFitsEdition(phone: string, t: TerminalChange): void {
  const widths = phone.length === 12 ? { terminalId: 7, makerId: 5, model: 20 } : { terminalId: 30, makerId: 11, model: 30 }
  for (const f of ['terminalId', 'makerId', 'model'] as const) {
    const v = t[f]
    if (v && Buffer.byteLength(v) > widths[f]) {
      throw new HttpError(400, `body/${f} is longer than a ${phone.length === 12 ? 2013 : 2019}-edition terminal sends (${widths[f]} bytes)`)
    }
  }
}

export async function createTerminal(db: Queryable, t: NewTerminal, by: string): Promise<Terminal> {
  assertFitsEdition(t.phone, t)
  const vehicle = await db.query<{ phone: string | null; retired: boolean }>(
    'SELECT (SELECT phone FROM terminals WHERE vehicle_id = v.id) AS phone, v.retired_at IS NOT NULL AS retired FROM vehicles v WHERE v.id = $1', [t.vehicleId])
  if (!vehicle.rows.length) throw new HttpError(400, `body/vehicleId is not a known vehicle (${t.vehicleId})`)
  if (vehicle.rows[0].retired) throw new HttpError(409, `body/vehicleId ${t.vehicleId} is a retired vehicle`, 'vehicle_retired')
  if (vehicle.rows[0].phone) throw new HttpError(409, `vehicle ${t.vehicleId} already has terminal ${vehicle.rows[0].phone}; unbind it first`)
  const r = await db.query<{ t: Terminal }>(
    `WITH t AS (INSERT INTO terminals (phone, vehicle_id, crs, created_by, terminal_id, maker_id, model, plate)
                SELECT $1, $2, $3, $4, $5, $6, $7, coalesce($8, v.plate) FROM vehicles v WHERE v.id = $2
                ON CONFLICT DO NOTHING RETURNING *)
     SELECT ${TERMINAL_JSON} AS t FROM t JOIN vehicles v ON v.id = t.vehicle_id`,
    [t.phone, t.vehicleId, t.crs, by, t.terminalId, t.makerId, t.model ?? null, t.plate ?? null],
  )
  if (!r.rows.length) throw new HttpError(409, `terminal ${t.phone} is already bound (or the vehicle was bound a moment ago)`)
  return r.rows[0].t
}

export async function deleteTerminal(db: Queryable, phone: string): Promise<void> {
  const r = await db.query(
    `WITH d AS (DELETE FROM terminals WHERE phone = $1 RETURNING phone) SELECT pg_notify('${TERMINALS_CHANNEL}', phone) FROM d`, [phone])
  if (!r.rows.length) throw notFound(`terminal ${phone}`)
}

/**
 * An admin corrects what a registration must match (a refused registration showed the
 * binding was wrong), or the unit's coordinate system. A signed-in terminal stays signed in.
 */
export async function updateTerminal(db: Queryable, phone: string, c: TerminalChange): Promise<Terminal> {
  assertFitsEdition(phone, c)
  const r = await db.query<{ t: Terminal }>(
    `WITH t AS (UPDATE terminals SET crs = coalesce($2, crs), terminal_id = coalesce($3, terminal_id), maker_id = coalesce($4, maker_id),
                       model = CASE WHEN $5 THEN $6 ELSE model END, plate = coalesce($7, plate)
                 WHERE phone = $1 RETURNING *)
     SELECT ${TERMINAL_JSON} AS t FROM t JOIN vehicles v ON v.id = t.vehicle_id`,
    [phone, c.crs ?? null, c.terminalId ?? null, c.makerId ?? null, c.model !== undefined, c.model ?? null, c.plate ?? null])
  if (!r.rows.length) throw notFound(`terminal ${phone}`)
  return r.rows[0].t
}

/**
 * An admin's reset: the terminal's registration is void (its auth code cleared), so it may
 * register again, and its connection is closed on whichever process holds it.
 */
export async function resetTerminal(db: Queryable, phone: string): Promise<Terminal> {
  const r = await db.query<{ t: Terminal }>(
    `WITH r AS (UPDATE terminals SET auth_code = NULL, authenticated_at = NULL WHERE phone = $1 RETURNING *)
     SELECT ${TERMINAL_JSON} AS t, pg_notify('${TERMINALS_CHANNEL}', t.phone || ':reset') FROM r t JOIN vehicles v ON v.id = t.vehicle_id`,
    [phone])
  if (!r.rows.length) throw notFound(`terminal ${phone}`)
  return r.rows[0].t
}

/** The bindings of many terminals in one query (the gateway's sign-ins, batched). */
export async function findBindings(db: Queryable, phones: string[]): Promise<Map<string, TerminalBinding>> {
  const r = await db.query<{ phone: string; vehicle_id: number; crs: TerminalCrs; auth_code: string | null; signed_in: boolean } & Record<'terminal_id' | 'maker_id' | 'model' | 'plate', string | null>>(
    `SELECT phone, vehicle_id, crs, auth_code, authenticated_at IS NOT NULL AS signed_in, terminal_id, maker_id, model, plate
       FROM terminals WHERE phone = ANY($1::text[])`, [phones])
  return new Map(r.rows.map((row) => [row.phone, {
    phone: row.phone, vehicleId: row.vehicle_id, crs: row.crs, authCode: row.auth_code, signedIn: row.signed_in,
    expected: { terminalId: row.terminal_id, makerId: row.maker_id, model: row.model, plate: row.plate },
  }]))
}

/** A refused registration of a bound terminal, kept for the admin (the last one per terminal). */
export async function recordRefusal(db: Queryable, phone: string, refusal: Omit<TerminalRefusal, 'at'>): Promise<void> {
  await db.query(
    `UPDATE terminals SET refusal = jsonb_build_object('at', ${iso('now()')}) || $2::jsonb WHERE phone = $1`,
    [phone, JSON.stringify(refusal)])
}

/**
 * Registration: a new auth code and what the terminal says about itself, unless the terminal
 * has signed in with its code since it registered (false then). One statement, so of two
 * registrations racing on any processes only one is answered with a code that stays valid.
 */
export async function registerTerminal(db: Queryable, phone: string, authCode: string, device: Record<string, unknown>): Promise<boolean> {
  const r = await db.query(
    `UPDATE terminals SET auth_code = $2, authenticated_at = NULL, device = $3::jsonb, registered_at = now(), last_seen_at = now()
      WHERE phone = $1 AND (auth_code IS NULL OR authenticated_at IS NULL) RETURNING 1`,
    [phone, authCode, JSON.stringify(device)])
  return r.rows.length > 0
}

/** The first sign-in with a code makes the registration final; false when the code was replaced meanwhile. */
export async function confirmSignIn(db: Queryable, phone: string, authCode: string): Promise<boolean> {
  const r = await db.query('UPDATE terminals SET authenticated_at = COALESCE(authenticated_at, now()) WHERE phone = $1 AND auth_code = $2 RETURNING 1',
    [phone, authCode])
  return r.rows.length > 0
}

/** Logout (0x0003): the code is void and the terminal registers again, as the standard says. */
export async function forgetAuthCode(db: Queryable, phone: string): Promise<void> {
  await db.query('UPDATE terminals SET auth_code = NULL, authenticated_at = NULL WHERE phone = $1', [phone])
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
