import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Queryable } from '../db/types.ts'
import { bearerToken, SessionCache } from './sessions.ts'

// A stranger's made-up tokens must cost no memory and, when malformed, no database lookup.
function fakeDb(known: Map<string, number>) {
  let lookups = 0
  const db = {
    async query(_sql: string, params?: unknown[]) {
      lookups++
      const id = known.get(String(params?.[0]))
      return { rows: id ? [{ id, username: `u${id}`, display_name: 'x', role: 'display', village_id: null, grid_id: null }] : [], rowCount: 0 }
    },
  } as unknown as Queryable
  return { db, lookups: () => lookups }
}

describe('session cache', () => {
  it('does not look up tokens that are not of our shape, nor remember refused ones', async () => {
    const { db, lookups } = fakeDb(new Map())
    const cache = new SessionCache(db)
    for (const bad of ['', 'short', 'x'.repeat(5000), 'has spaces in it 0123456789', '<script>0123456789012345</script>', 42, null]) {
      expect(await cache.resolve(bad)).toBeNull()
    }
    expect(lookups()).toBe(0)
    const token = randomBytes(32).toString('base64url')
    await cache.resolve(token)
    await cache.resolve(token)
    // refused tokens are asked again (not cached), so a flood of them cannot evict good ones
    expect(lookups()).toBe(2)
  })

  it('keeps a good token cached through a flood of made-up ones', async () => {
    const good = randomBytes(32).toString('base64url')
    const { tokenHash } = await import('./repository.ts')
    const { db, lookups } = fakeDb(new Map([[tokenHash(good), 7]]))
    const cache = new SessionCache(db)
    expect((await cache.resolve(good))?.id).toBe(7)
    for (let i = 0; i < 20_000; i++) await cache.resolve(randomBytes(32).toString('base64url'))
    const before = lookups()
    expect((await cache.resolve(good))?.id).toBe(7)
    expect(lookups()).toBe(before)
  })

  it('reads only well-formed bearer headers', () => {
    expect(bearerToken(`Bearer ${'a'.repeat(43)}`)).toBe('a'.repeat(43))
    expect(bearerToken(`Bearer ${'a'.repeat(300)}`)).toBeNull()
    expect(bearerToken('Basic abc')).toBeNull()
    expect(bearerToken(undefined)).toBeNull()
  })
})
