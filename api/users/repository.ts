import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { Role } from '../auth/roles.ts'
import { clearThrottle, throttledSql } from '../auth/throttle.ts'

export interface UserRecord {
  id: number
  username: string
  displayName: string
  role: Role
  villageId: number | null
  gridId: number | null
  /** the grid as people know it, "石山村 第2网格" (not "网格 27") */
  gridName: string | null
  departmentId: number | null
  /** a town's leader, dispatcher or display; null: the county's */
  townId: number | null
  disabled: boolean
  /** sign-ins are being held back: at some address (too many wrong passwords there), or at new addresses (a guess spread over many) */
  locked: boolean
  lastLoginAt: string | null
  createdAt: string
}

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const USER_JSON = `json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name, 'role', u.role,
  'villageId', u.village_id, 'gridId', u.grid_id,
  'gridName', (SELECT v.name || ' ' || g.name FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.id = u.grid_id), 'departmentId', u.department_id, 'townId', u.town_id, 'disabled', u.disabled,
  'locked', ${throttledSql('u.username')}, 'lastLoginAt', ${iso('u.last_login_at')}, 'createdAt', ${iso('u.created_at')})`

/** The scope a role carries: exactly one of village, grid or department, or none; a command-center role optionally a town. */
export interface ScopeFields {
  villageId?: number | null
  gridId?: number | null
  departmentId?: number | null
  townId?: number | null
}

/** the roles that work at a town's command center or, without a town, at the county's */
const TOWN_OR_COUNTY: readonly Role[] = ['leader', 'dispatcher', 'display']

/** 400 naming the field when a role does not get the scope it needs (the table's CHECKs would say it less kindly). */
export function checkScope(role: Role, s: ScopeFields): { villageId: number | null; gridId: number | null; departmentId: number | null; townId: number | null } {
  const need = role === 'villageCadre' ? 'villageId' : role === 'gridWorker' ? 'gridId' : role === 'department' ? 'departmentId' : null
  for (const field of ['villageId', 'gridId', 'departmentId'] as const) {
    const given = s[field] !== undefined && s[field] !== null
    if (field === need && !given) throw new HttpError(400, `body/${field} is required for role ${role}`)
    if (field !== need && given) throw new HttpError(400, `body/${field}: role ${role} has no ${field.replace('Id', '')}`)
  }
  if (s.townId !== undefined && s.townId !== null && !TOWN_OR_COUNTY.includes(role)) throw new HttpError(400, `body/townId: role ${role} has no town`)
  return { villageId: s.villageId ?? null, gridId: s.gridId ?? null, departmentId: s.departmentId ?? null, townId: s.townId ?? null }
}

export async function listUsers(db: Queryable, f: { role?: Role; q?: string; limit: number; offset: number }): Promise<{ users: UserRecord[]; total: number }> {
  const like = f.q ? '%' + f.q.replace(/[\\%_]/g, (c) => '\\' + c) + '%' : null
  const r = await db.query<{ user: UserRecord; total: number }>(
    `SELECT ${USER_JSON} AS user, count(*) OVER ()::int AS total FROM users u
      WHERE ($1::text IS NULL OR u.role = $1) AND ($2::text IS NULL OR u.username LIKE $2 OR u.display_name LIKE $2)
      ORDER BY u.id LIMIT $3 OFFSET $4`,
    [f.role ?? null, like, f.limit, f.offset],
  )
  return { users: r.rows.map((x) => x.user), total: r.rows[0]?.total ?? 0 }
}

export async function getUser(db: Queryable, id: number): Promise<UserRecord> {
  const r = await db.query<{ user: UserRecord }>(`SELECT ${USER_JSON} AS user FROM users u WHERE u.id = $1`, [id])
  if (!r.rows.length) throw notFound(`user ${id}`)
  return r.rows[0].user
}

export async function createUser(db: Queryable, u: { username: string; displayName: string; role: Role; passwordHash: string } & ScopeFields): Promise<UserRecord> {
  const scope = checkScope(u.role, u)
  const r = await db.query<{ id: number }>(
    `INSERT INTO users (username, display_name, role, village_id, grid_id, department_id, town_id, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $8, $7) ON CONFLICT (username) DO NOTHING RETURNING id`,
    [u.username, u.displayName, u.role, scope.villageId, scope.gridId, scope.departmentId, u.passwordHash, scope.townId],
  ).catch(foreignKeyAsBadRequest)
  if (!r.rows.length) throw new HttpError(409, `body/username ${u.username} is taken`)
  return getUser(db, r.rows[0].id)
}

/** A village, grid or department that does not exist is the caller's mistake, named by field. */
function foreignKeyAsBadRequest(err: { code?: string; constraint?: string }): never {
  if (err.code === '23503') {
    const field = err.constraint?.includes('village') ? 'villageId' : err.constraint?.includes('grid') ? 'gridId'
      : err.constraint?.includes('town') ? 'townId' : 'departmentId'
    throw new HttpError(400, `body/${field} does not exist`)
  }
  throw err
}

export async function updateUser(db: Queryable, id: number, change: { displayName?: string; role?: Role; disabled?: boolean } & ScopeFields): Promise<UserRecord> {
  const current = await getUser(db, id)
  const role = change.role ?? current.role
  const scopeChanged = change.role !== undefined || change.villageId !== undefined || change.gridId !== undefined || change.departmentId !== undefined
    || change.townId !== undefined
  // a PATCH that leaves townId out keeps the town while the role can have one: editing a town
  // leader's name or role must not make her the county's (a client that predates towns sends none)
  const townId = change.townId !== undefined ? change.townId : TOWN_OR_COUNTY.includes(role) ? current.townId : null
  const scope = scopeChanged ? checkScope(role, { ...change, townId }) : current
  await db.query(
    `UPDATE users SET display_name = $2, role = $3, village_id = $4, grid_id = $5, department_id = $6, disabled = $7, town_id = $8 WHERE id = $1`,
    [id, change.displayName ?? current.displayName, role, scope.villageId, scope.gridId, scope.departmentId, change.disabled ?? current.disabled, scope.townId],
  ).catch(foreignKeyAsBadRequest)
  return getUser(db, id)
}

/** A new password also lifts the account's sign-in throttle. */
export async function setPasswordHash(db: Queryable, id: number, passwordHash: string): Promise<void> {
  const r = await db.query<{ username: string }>('UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING username', [id, passwordHash])
  if (!r.rows.length) throw notFound(`user ${id}`)
  await clearThrottle(db, r.rows[0].username)
}

/** Lifts the account's sign-in throttle at every address; the account as it is now. */
export async function unlockUser(db: Queryable, id: number): Promise<UserRecord> {
  const user = await getUser(db, id)
  await clearThrottle(db, user.username)
  return { ...user, locked: false }
}

/** Ends every session of a user; the hashes, so their sockets can be closed too. */
export async function revokeUserSessions(db: Queryable, userId: number): Promise<string[]> {
  const r = await db.query<{ token_hash: string }>('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash', [userId])
  return r.rows.map((x) => x.token_hash)
}
