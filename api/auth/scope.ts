import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { AuthUser } from './roles.ts'

// Scope is decided by PostgreSQL in the same query that finds the row: the caller's
// village and grid go in as parameters (NULL = town-wide), and the answer says whether
// the row exists and whether it is theirs. Out of scope is 403, never an empty answer.
const IN_SCOPE = `($2::int IS NULL OR g.village_id = $2) AND ($3::int IS NULL OR g.id = $3)`

export function scopeParams(user: AuthUser): [number | null, number | null] {
  if (user.role === 'villageCadre') return [user.villageId, null]
  if (user.role === 'gridWorker') return [null, user.gridId]
  return [null, null]
}

async function check(db: Queryable, sql: string, id: number, user: AuthUser, what: string): Promise<void> {
  const r = await db.query<{ allowed: boolean }>(sql, [id, ...scopeParams(user)])
  if (!r.rows.length) throw notFound(`${what} ${id}`)
  if (!r.rows[0].allowed) throw new HttpError(403, `${what} ${id} is outside your scope`)
}

export function assertVillageInScope(db: Queryable, user: AuthUser, villageId: number): Promise<void> {
  // a grid worker's scope is one grid; a village as a whole is outside it
  return check(db, `SELECT ($2::int IS NULL OR v.id = $2) AND $3::int IS NULL AS allowed FROM villages v WHERE v.id = $1`, villageId, user, 'village')
}

export function assertGridInScope(db: Queryable, user: AuthUser, gridId: number): Promise<void> {
  return check(db, `SELECT ${IN_SCOPE} AS allowed FROM grids g WHERE g.id = $1`, gridId, user, 'grid')
}

export function assertHouseholdInScope(db: Queryable, user: AuthUser, householdId: number): Promise<void> {
  return check(db, `SELECT ${IN_SCOPE} AS allowed FROM households h JOIN grids g ON g.id = h.grid_id WHERE h.id = $1`, householdId, user, 'household')
}

export function assertResidentInScope(db: Queryable, user: AuthUser, residentId: number): Promise<void> {
  return check(
    db,
    `SELECT ${IN_SCOPE} AS allowed FROM residents r JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id WHERE r.id = $1`,
    residentId, user, 'resident',
  )
}

export const isTownWide = (user: AuthUser) => scopeParams(user).every((p) => p === null)
