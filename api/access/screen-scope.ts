import { HttpError } from '../http/errors.ts'
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { assertGridInScope, assertVillageInScope, isTownWide } from './scope.ts'

export type ScopeKind = 'town' | 'village' | 'grid'
export interface Scope {
  kind: ScopeKind
  id: number | null
}

/** 'town' | 'village:ID' | 'grid:ID' — the same strings the screen keeps in its URL */
export const SCOPE_PATTERN = '^(town|village:[1-9][0-9]{0,8}|grid:[1-9][0-9]{0,8})$'

export function parseScope(raw: string): Scope {
  if (!new RegExp(SCOPE_PATTERN).test(raw)) throw new HttpError(400, 'querystring/scope must be town, village:ID or grid:ID')
  if (raw === 'town') return { kind: 'town', id: null }
  const [kind, id] = raw.split(':')
  return { kind: kind as ScopeKind, id: Number(id) }
}

/** A scope string the user may look at: 400 when malformed, 403 outside their scope, 404 unknown. */
export async function allowedScope(db: Queryable, user: AuthUser, raw: string): Promise<Scope> {
  const scope = parseScope(raw)
  if (scope.kind === 'town' && !isTownWide(user)) throw new HttpError(403, 'town-wide figures are outside your scope')
  if (scope.kind === 'village') await assertVillageInScope(db, user, scope.id!)
  if (scope.kind === 'grid') await assertGridInScope(db, user, scope.id!)
  return scope
}

/** The scope as the village and grid filters of a query (null = not filtered). */
export const scopeFilter = (scope: Scope): { villageId: number | null; gridId: number | null } => ({
  villageId: scope.kind === 'village' ? scope.id : null,
  gridId: scope.kind === 'grid' ? scope.id : null,
})
