import { HttpError } from '../http/errors.ts'
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { assertGridInScope, assertTownInScope, assertVillageInScope, isCountyWide, ownTown } from './scope.ts'

export type ScopeKind = 'county' | 'town' | 'village' | 'grid'
/** a screen scope; a town's id is always resolved (the bare 'town' names the caller's town) */
export interface Scope {
  kind: ScopeKind
  id: number | null
}

/**
 * 'county' | 'town' | 'town:ID' | 'village:ID' | 'grid:ID' — the same strings the screen keeps
 * in its URL. The bare 'town' is the caller's own town, or for a county account the first
 * town: the demo's single town, so the walls and links made before counties keep working.
 */
export const SCOPE_PATTERN = '^(county|town|town:[1-9][0-9]{0,8}|village:[1-9][0-9]{0,8}|grid:[1-9][0-9]{0,8})$'

export function parseScope(raw: string): Scope {
  if (!new RegExp(SCOPE_PATTERN).test(raw)) throw new HttpError(400, 'querystring/scope must be county, town, town:ID, village:ID or grid:ID')
  if (raw === 'county' || raw === 'town') return { kind: raw, id: null }
  const [kind, id] = raw.split(':')
  return { kind: kind as ScopeKind, id: Number(id) }
}

/** A scope string the user may look at: 400 when malformed, 403 outside their scope, 404 unknown. */
export async function allowedScope(db: Queryable, user: AuthUser, raw: string): Promise<Scope> {
  const scope = parseScope(raw)
  if (scope.kind === 'county') {
    if (!isCountyWide(user)) throw new HttpError(403, 'county-wide figures are outside your scope')
    return scope
  }
  if (scope.kind === 'town') {
    if (scope.id === null) {
      const own = ownTown(user)
      if (own === null && !isCountyWide(user)) throw new HttpError(403, 'town-wide figures are outside your scope')
      const first = own ?? (await db.query<{ id: number }>('SELECT id FROM towns ORDER BY id LIMIT 1')).rows[0]?.id
      if (first === undefined) throw new HttpError(404, 'no town is loaded')
      return { kind: 'town', id: first }
    }
    await assertTownInScope(db, user, scope.id)
  }
  if (scope.kind === 'village') await assertVillageInScope(db, user, scope.id!)
  if (scope.kind === 'grid') await assertGridInScope(db, user, scope.id!)
  return scope
}

/** The scope as the town, village and grid filters of a query (null = not filtered). */
export const scopeFilter = (scope: Scope): { townId: number | null; villageId: number | null; gridId: number | null } => ({
  townId: scope.kind === 'town' ? scope.id : null,
  villageId: scope.kind === 'village' ? scope.id : null,
  gridId: scope.kind === 'grid' ? scope.id : null,
})

/**
 * The town whose league tables (擂台赛) a user reads: the scope asked for (county or a town in
 * theirs), else their own — the county for a county account, their town for a town account,
 * and for a village cadre or a grid worker the town of their village, among whose villages
 * theirs is ranked. null is the county.
 */
export async function leagueTown(db: Queryable, user: AuthUser, raw: string | undefined): Promise<number | null> {
  if (raw !== undefined) {
    const scope = await allowedScope(db, user, raw)
    if (scope.kind === 'village' || scope.kind === 'grid') throw new HttpError(400, 'querystring/scope must be county, town or town:ID: the tables rank the villages of a town or of the county')
    return scope.kind === 'town' ? scope.id : null
  }
  if (isCountyWide(user)) return null
  const own = ownTown(user)
  if (own !== null) return own
  const villageId = user.scope.level === 'village' || user.scope.level === 'grid' ? user.scope.villageId : null
  if (villageId === null) throw new HttpError(403, 'the league tables are outside your scope')
  return (await db.query<{ town_id: number }>('SELECT town_id FROM villages WHERE id = $1', [villageId])).rows[0]?.town_id ?? null
}
