import type { Queryable } from '../db/types.ts'
import type { AuthUser } from './roles.ts'
import { findSessionUser } from './repository.ts'

/**
 * Token → user, remembered for a few seconds so a wall loading hundreds of tiles does not
 * hit the sessions table for each one. Logout forgets the token at once in this process;
 * another API process notices within TTL_MS.
 */
const TTL_MS = 10_000
const MAX = 10_000

export class SessionCache {
  private readonly entries = new Map<string, { user: AuthUser | null; until: number }>()

  constructor(private readonly db: Queryable) {}

  async resolve(token: string): Promise<AuthUser | null> {
    const now = Date.now()
    const hit = this.entries.get(token)
    if (hit && hit.until > now) return hit.user
    const user = await findSessionUser(this.db, token)
    if (this.entries.size >= MAX) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(token, { user, until: now + TTL_MS })
    return user
  }

  forget(token: string): void {
    this.entries.delete(token)
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header.trim())
  return m ? m[1] : null
}
