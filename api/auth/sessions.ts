import { LRUCache } from 'lru-cache'
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from './roles.ts'
import { findSessionUser } from './repository.ts'

/**
 * Token → user, remembered for a few seconds so a wall loading hundreds of tiles does not
 * hit the sessions table for each one. Logout forgets the token at once in this process;
 * another API process notices within TTL_MS. Only tokens that were found are remembered: a
 * stranger's stream of made-up tokens must not push the real ones out of a bounded cache.
 */
const TTL_MS = 10_000
const MAX = 10_000

/** What our tokens look like (32 random bytes, base64url); anything else is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/

export class SessionCache {
  private readonly entries = new LRUCache<string, AuthUser>({ max: MAX, ttl: TTL_MS })

  constructor(private readonly db: Queryable) {}

  async resolve(token: unknown): Promise<AuthUser | null> {
    if (typeof token !== 'string' || !TOKEN.test(token)) return null
    const hit = this.entries.get(token)
    if (hit) return hit
    const user = await findSessionUser(this.db, token)
    if (user) this.entries.set(token, user)
    return user
  }

  forget(token: string): void {
    this.entries.delete(token)
  }

  /** every cached token of a user whose sessions were revoked (disabled, new password, new role) */
  forgetUser(userId: number): void {
    for (const [token, user] of this.entries.entries()) if (user.id === userId) this.entries.delete(token)
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header || header.length > 250) return null
  const m = /^Bearer\s+(\S+)$/.exec(header.trim())
  return m && TOKEN.test(m[1]) ? m[1] : null
}
