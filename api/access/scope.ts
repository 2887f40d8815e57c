import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { AuthUser, Role } from '../auth/roles.ts'

/**
 * How far a user's data rights reach: the whole county, one town, one village, one grid (with
 * its village, so village-level data such as the trucks serving it can be shared), or nothing
 * (a vehicle terminal). Resolved once when the session is looked up.
 */
export type UserScope =
  | { level: 'county' }
  /** a town's command center (镇街指挥中心): its villages and grids */
  | { level: 'town'; townId: number }
  | { level: 'village'; villageId: number }
  | { level: 'grid'; villageId: number; gridId: number }
  /** a county department: the orders sent to it, nothing of the town's people */
  | { level: 'department'; departmentId: number }
  | { level: 'none' }

/**
 * A leader, dispatcher or display account with a town works for that town's command center;
 * without one (and an admin always) for the county's. On a single-town system both see the same.
 */
export function scopeOf(role: Role, villageId: number | null, gridId: number | null, departmentId: number | null = null, townId: number | null = null): UserScope {
  switch (role) {
    case 'department':
      return departmentId ? { level: 'department', departmentId } : { level: 'none' }
    case 'villageCadre':
      return villageId ? { level: 'village', villageId } : { level: 'none' }
    case 'gridWorker':
      return villageId && gridId ? { level: 'grid', villageId, gridId } : { level: 'none' }
    case 'device':
      return { level: 'none' }
    case 'admin':
      return { level: 'county' }
    default:
      return townId ? { level: 'town', townId } : { level: 'county' }
  }
}

export const isCountyWide = (user: Pick<AuthUser, 'scope'>) => user.scope.level === 'county'

/** The town a user's rights are limited to: null = the whole county (or a narrower scope). */
export const ownTown = (user: Pick<AuthUser, 'scope'>): number | null => (user.scope.level === 'town' ? user.scope.townId : null)

/** Columns a query compares with the user's scope; several columns are alternatives (OR). */
export interface ScopeColumns {
  /** the row's village (e.g. 'g.village_id'); for a grid worker too when `grid` is not given */
  village: string | string[]
  /** the row's grid; without it, a grid worker sees what belongs to her village as a whole */
  grid?: string
  /**
   * the row's author (a username column): a grid worker also sees her own rows in the other
   * grids of her village. It never reaches past the user's village or town: for a town's or a
   * village's accounts it adds nothing, so being the author widens nobody's reach.
   */
  owner?: string
  /**
   * what a department's scope matches: a column, or a condition with {} where the department's
   * id goes; without it a department sees none of these rows
   */
  department?: string | string[]
}

/**
 * The one place a user's scope becomes SQL: a condition over the given columns, with its
 * values appended to `params` (so it composes with any query's own parameters). County-wide
 * users get TRUE, users without a scope FALSE; a town's users the rows of its villages.
 */
export function scopeCondition(user: Pick<AuthUser, 'scope' | 'username'>, cols: ScopeColumns, params: unknown[]): string {
  const s = user.scope
  if (s.level === 'county') return 'TRUE'
  if (s.level === 'none') return 'FALSE'
  const alternatives: string[] = []
  const bind = (v: unknown) => `$${params.push(v)}`
  if (s.level === 'department') {
    if (!cols.department) return 'FALSE'
    const p = `${bind(s.departmentId)}::int`
    for (const c of [cols.department].flat()) alternatives.push(c.includes('{}') ? c.replaceAll('{}', p) : `${c} = ${p}`)
  } else if (s.level === 'town') {
    const p = bind(s.townId)
    for (const c of [cols.village].flat()) alternatives.push(`${c} IN (SELECT tv.id FROM villages tv WHERE tv.town_id = ${p}::int)`)
  } else if (s.level === 'grid' && cols.grid) {
    alternatives.push(`${cols.grid} = ${bind(s.gridId)}::int`)
    if (cols.owner) {
      const v = bind(s.villageId)
      const inVillage = [cols.village].flat().map((c) => `${c} = ${v}::int`).join(' OR ')
      alternatives.push(`(${cols.owner} = ${bind(user.username)}::text AND (${inVillage}))`)
    }
  } else {
    const p = bind(s.villageId)
    for (const c of [cols.village].flat()) alternatives.push(`${c} = ${p}::int`)
  }
  return `(${alternatives.join(' OR ')})`
}

async function check(db: Queryable, what: string, id: number, from: string, user: AuthUser, cols: ScopeColumns): Promise<void> {
  const params: unknown[] = [id]
  const cond = scopeCondition(user, cols, params)
  const r = await db.query<{ allowed: boolean }>(`SELECT ${cond} AS allowed FROM ${from}`, params)
  if (!r.rows.length) throw notFound(`${what} ${id}`)
  if (!r.rows[0].allowed) throw new HttpError(403, `${what} ${id} is outside your scope`)
}

// Scope is decided by PostgreSQL in the same query that finds the row: out of scope is 403,
// never an empty answer, and an unknown id is 404 for everyone.
const PEOPLE: ScopeColumns = { village: 'g.village_id', grid: 'g.id' }
/**
 * People data by their household (joined as `h`): a household keeps its village even while it
 * waits without a grid (待落图, migration 038), so a cadre reaches it; a grid worker reaches the
 * households of her grid only (a NULL grid is nobody's grid).
 */
const HOUSEHOLD: ScopeColumns = { village: 'h.village_id', grid: 'h.grid_id' }

export function assertVillageInScope(db: Queryable, user: AuthUser, villageId: number): Promise<void> {
  // a grid worker's scope is one grid; a village as a whole is outside it
  return check(db, 'village', villageId, 'villages v WHERE v.id = $1', user, { village: 'v.id', grid: 'NULL' })
}

/** A town: 404 when unknown, 403 unless the user sees the whole county or works for that town. */
export async function assertTownInScope(db: Queryable, user: AuthUser, townId: number): Promise<void> {
  const r = await db.query('SELECT 1 FROM towns WHERE id = $1', [townId])
  if (!r.rows.length) throw notFound(`town ${townId}`)
  if (!isCountyWide(user) && ownTown(user) !== townId) throw new HttpError(403, `town ${townId} is outside your scope`)
}

export function assertGridInScope(db: Queryable, user: AuthUser, gridId: number): Promise<void> {
  return check(db, 'grid', gridId, 'grids g WHERE g.id = $1', user, PEOPLE)
}

export function assertHouseholdInScope(db: Queryable, user: AuthUser, householdId: number): Promise<void> {
  return check(db, 'household', householdId, 'households h WHERE h.id = $1', user, HOUSEHOLD)
}

export function assertResidentInScope(db: Queryable, user: AuthUser, residentId: number): Promise<void> {
  return check(db, 'resident', residentId, 'residents r JOIN households h ON h.id = r.household_id WHERE r.id = $1', user, HOUSEHOLD)
}

/** The scope columns of people data (households, residents, visits) joined as `g` (grids). */
export const PEOPLE_COLUMNS = PEOPLE
/** The scope columns of households (and their residents) joined as `h`, with or without a grid. */
export const HOUSEHOLD_COLUMNS = HOUSEHOLD

/**
 * The village a user's scope lies in (a cadre's, a grid worker's grid's): null = county- or
 * town-wide (see ownTown), 'none' = no scope.
 */
export function ownVillage(user: Pick<AuthUser, 'scope'>): number | null | 'none' {
  const s = user.scope
  if (s.level === 'county' || s.level === 'town') return null
  if (s.level === 'none' || s.level === 'department') return 'none'
  return s.villageId
}

/** socket.io rooms a user's pushes (work orders, data changes) go to. */
export function roomsFor(user: Pick<AuthUser, 'scope'>): string[] {
  const s = user.scope
  // 'town' stays the room of everything, as before counties: a county's screens and the demo's
  if (s.level === 'county') return ['town']
  if (s.level === 'town') return [`town:${s.townId}`]
  if (s.level === 'village') return [`village:${s.villageId}`]
  if (s.level === 'grid') return [`grid:${s.gridId}`]
  if (s.level === 'department') return [`department:${s.departmentId}`]
  return []
}
