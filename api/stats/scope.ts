import { HttpError } from '../http/errors.ts'

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
