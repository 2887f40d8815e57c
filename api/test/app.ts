import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/types.ts'
import { buildServer } from '../server.ts'
import { openFixtureDb } from './test-db.ts'

/** A server on a private clone of the fixture database, API only. */
export async function openTestApp(opts: { tileCacheEntries?: number } = {}): Promise<{ app: FastifyInstance; db: Db; close(): Promise<void> }> {
  const db = await openFixtureDb()
  const app = await buildServer({ db, tileCacheEntries: opts.tileCacheEntries })
  await app.ready()
  return {
    app,
    db,
    async close() {
      await app.close()
      await db.close()
    },
  }
}
