import { randomBytes } from 'node:crypto'
import type { Queryable } from '../db/types.ts'
import { tokenHash } from '../auth/repository.ts'
import { HttpError, notFound } from '../http/errors.ts'

// What the admin sets for a wall (its name, the tour it runs), a reload asked for from the desk,
// and the one-time codes of display links (大屏链接). A wall names itself only by the random id it
// made in its browser; people know it by the name given here.

/** the channel a wall's command travels on, so the API process holding its socket delivers it */
export const DISPLAY_COMMANDS_CHANNEL = 'display_commands'
/** a display link's code dies unused after this long */
export const PAIRING_HOURS = 24

export interface DisplayCommand {
  displayId: string
  /** reload the page now */
  reload?: boolean
  /** the tour assigned to it changed (its name; null: none) */
  tour?: string | null
}

export const notifyDisplay = (db: Queryable, cmd: DisplayCommand) =>
  db.query(`SELECT pg_notify('${DISPLAY_COMMANDS_CHANNEL}', $1)`, [JSON.stringify(cmd)])

/** a wall's name and assigned tour; 404 for a wall that never reported */
export async function updateDisplay(db: Queryable, id: string, set: { name?: string | null; tourId?: number | null }):
  Promise<{ name: string | null; tourId: number | null; tourName: string | null }> {
  if (set.tourId !== undefined && set.tourId !== null && !(await db.query('SELECT 1 FROM tours WHERE id = $1', [set.tourId])).rows.length) {
    throw new HttpError(400, `body/tourId: no tour ${set.tourId}`, 'unknown_tour')
  }
  const r = await db.query<{ name: string | null; tourId: number | null; tourName: string | null }>(
    `UPDATE displays d SET name = CASE WHEN $2 THEN $3 ELSE d.name END, tour_id = CASE WHEN $4 THEN $5::int ELSE d.tour_id END
      WHERE d.id = $1 RETURNING d.name, d.tour_id AS "tourId", (SELECT name FROM tours WHERE id = d.tour_id) AS "tourName"`,
    [id, set.name !== undefined, set.name ?? null, set.tourId !== undefined, set.tourId ?? null])
  if (!r.rows.length) throw notFound(`wall ${id}`)
  return r.rows[0]
}

/** marks a reload as asked (the wall's next report answers it if the socket did not reach it); 404 for an unknown wall */
export async function askReload(db: Queryable, id: string): Promise<{ name: string | null }> {
  const r = await db.query<{ name: string | null }>('UPDATE displays SET reload_asked_at = now() WHERE id = $1 RETURNING name', [id])
  if (!r.rows.length) throw notFound(`wall ${id}`)
  return r.rows[0]
}

/**
 * What the admin set, for the wall's report answer: its name, its tour, and whether a reload is
 * still owed (taken once: a wall that reloaded by the socket's word says so in this report).
 */
export async function displaySettings(db: Queryable, id: string, reloaded: boolean): Promise<{ name: string | null; tour: string | null; reload: boolean }> {
  const r = await db.query<{ name: string | null; tour: string | null; asked: boolean }>(
    `WITH old AS (SELECT id, reload_asked_at FROM displays WHERE id = $1 FOR UPDATE)
     UPDATE displays d SET reload_asked_at = NULL FROM old WHERE d.id = old.id
     RETURNING d.name, (SELECT name FROM tours WHERE id = d.tour_id) AS tour, old.reload_asked_at IS NOT NULL AS asked`, [id])
  const row = r.rows[0]
  return { name: row?.name ?? null, tour: row?.tour ?? null, reload: !!row?.asked && !reloaded }
}

/** a display link's one-time code for a display account, with the name and tour the paired wall takes */
export async function createPairing(db: Queryable, p: { userId: number; name: string | null; tourId: number | null; by: string }):
  Promise<{ code: string; expiresAt: string; username: string }> {
  const who = await db.query<{ username: string; role: string; disabled: boolean }>('SELECT username, role, disabled FROM users WHERE id = $1', [p.userId])
  if (!who.rows.length) throw new HttpError(400, `body/userId: no account ${p.userId}`, 'unknown_account')
  if (who.rows[0].role !== 'display') throw new HttpError(400, `body/userId: ${who.rows[0].username} is not a display account`, 'not_display')
  if (who.rows[0].disabled) throw new HttpError(400, `body/userId: ${who.rows[0].username} is disabled`, 'account_disabled')
  if (p.tourId !== null && !(await db.query('SELECT 1 FROM tours WHERE id = $1', [p.tourId])).rows.length) {
    throw new HttpError(400, `body/tourId: no tour ${p.tourId}`, 'unknown_tour')
  }
  // 128 bits: a guess is hopeless however many tries a rate limit lets through
  const code = randomBytes(16).toString('base64url')
  const r = await db.query<{ expires_at: Date }>(
    `INSERT INTO display_pairings (code_hash, user_id, name, tour_id, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6)) RETURNING expires_at`,
    [tokenHash(code), p.userId, p.name, p.tourId, p.by, PAIRING_HOURS])
  // spent and expired codes are of no use to anyone: they go as new ones are made
  await db.query(`DELETE FROM display_pairings WHERE expires_at < now() - interval '7 days'`)
  return { code, expiresAt: new Date(r.rows[0].expires_at).toISOString(), username: who.rows[0].username }
}

/**
 * Spends a code: the account it signs in, and the wall (by the id it made) takes the link's name
 * and tour. null for a code unknown, spent, expired, or whose account is no longer a usable display.
 */
export async function spendPairing(db: Queryable, code: string, displayId: string): Promise<{ username: string; name: string | null; createdBy: string } | null> {
  const r = await db.query<{ user_id: number; name: string | null; tour_id: number | null; created_by: string }>(
    `UPDATE display_pairings p SET used_at = now(), display_id = $2
      WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
        AND EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id AND u.role = 'display' AND NOT u.disabled)
      RETURNING user_id, name, tour_id, created_by`, [tokenHash(code), displayId])
  const p = r.rows[0]
  if (!p) return null
  // the wall's row exists before its first report, named as the link said; the report fills the rest
  await db.query(
    `INSERT INTO displays (id, username, last_seen, scope, version, width, height, name, tour_id)
     SELECT $1, u.username, now(), 'town', 'unknown', 1, 1, $3, $4 FROM users u WHERE u.id = $2
     ON CONFLICT (id) DO UPDATE SET username = excluded.username, name = coalesce(excluded.name, displays.name), tour_id = coalesce(excluded.tour_id, displays.tour_id)`,
    [displayId, p.user_id, p.name, p.tour_id])
  const username = (await db.query<{ username: string }>('SELECT username FROM users WHERE id = $1', [p.user_id])).rows[0].username
  return { username, name: p.name, createdBy: p.created_by }
}
