import { createHash, randomBytes } from 'node:crypto'
import type { Queryable } from '../db/types.ts'
import type { AuthUser, Role } from './roles.ts'
import { sessionHours } from './roles.ts'
import { scopeOf } from '../access/scope.ts'

interface UserRow {
  id: number
  username: string
  display_name: string
  role: Role
  village_id: number | null
  grid_id: number | null
  department_id: number | null
  town_id: number | null
}

const toUser = (r: UserRow): AuthUser => ({
  id: r.id, username: r.username, displayName: r.display_name, role: r.role, villageId: r.village_id, gridId: r.grid_id,
  departmentId: r.department_id, scope: scopeOf(r.role, r.village_id, r.grid_id, r.department_id, r.town_id),
})

// A grid worker's village comes from her grid, so her scope is whole from the start.
const USER_COLUMNS = `u.id, u.username, u.display_name, u.role, coalesce(u.village_id, ug.village_id) AS village_id, u.grid_id, u.department_id, u.town_id`
const USERS = `users u LEFT JOIN grids ug ON ug.id = u.grid_id`

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

export async function findLoginCandidate(db: Queryable, username: string) {
  const r = await db.query<UserRow & { password_hash: string; disabled: boolean }>(
    `SELECT ${USER_COLUMNS}, u.password_hash, u.disabled FROM ${USERS} WHERE u.username = $1`,
    [username],
  )
  const row = r.rows[0]
  return row ? { user: toUser(row), passwordHash: row.password_hash, disabled: row.disabled } : null
}

export async function recordSuccessfulLogin(db: Queryable, userId: number): Promise<void> {
  await db.query('UPDATE users SET last_login_at = now() WHERE id = $1', [userId])
}

export async function createSession(db: Queryable, user: AuthUser): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url')
  const r = await db.query<{ expires_at: Date }>(
    `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3)) RETURNING expires_at`,
    [tokenHash(token), user.id, sessionHours(user.role)],
  )
  return { token, expiresAt: new Date(r.rows[0].expires_at).toISOString() }
}

export async function findSessionUser(db: Queryable, token: string): Promise<AuthUser | null> {
  const r = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS}
       FROM sessions s JOIN ${USERS} ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHash(token)],
  )
  return r.rows[0] ? toUser(r.rows[0]) : null
}

export async function revokeSession(db: Queryable, token: string): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash(token)])
}

export interface NewUser {
  username: string
  displayName: string
  role: Role
  villageId?: number | null
  gridId?: number | null
  departmentId?: number | null
  /** a town's leader, dispatcher or display; without it they work for the county */
  townId?: number | null
  passwordHash: string
}

export async function insertUsers(db: Queryable, users: NewUser[]): Promise<void> {
  if (!users.length) return
  await db.query(
    `INSERT INTO users (username, display_name, role, village_id, grid_id, department_id, town_id, password_hash)
     SELECT u.username, u.display_name, u.role, u.village_id, u.grid_id, u.department_id, u.town_id, u.password_hash
       FROM jsonb_to_recordset($1::jsonb) AS u(username text, display_name text, role text, village_id int, grid_id int, department_id int, town_id int, password_hash text)`,
    [JSON.stringify(users.map((u) => ({
      username: u.username, display_name: u.displayName, role: u.role,
      village_id: u.villageId ?? null, grid_id: u.gridId ?? null, department_id: u.departmentId ?? null, town_id: u.townId ?? null, password_hash: u.passwordHash,
    })))],
  )
}
