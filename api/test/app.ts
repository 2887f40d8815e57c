import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../db/types.ts'
import { buildServer, type ServerOptions } from '../server.ts'
import { TEST_PASSWORD } from './password.ts'
import { openFixtureDb } from './test-db.ts'

export interface TestApp {
  app: FastifyInstance
  db: Db
  /** a bearer token for a demo account, signed in once per test file */
  token(username: string): Promise<string>
  /** GET (or any request) as a demo account */
  as(username: string, req: string | InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

/** A server on a private clone of the fixture database, API only. */
export async function openTestApp(opts: Omit<ServerOptions, 'db'> = {}): Promise<TestApp> {
  const db = await openFixtureDb()
  // sign-ins are many and quick in tests: the per-address limit would refuse them
  const app = await buildServer({ loginRateLimit: 10_000, ...opts, db })
  await app.ready()
  const tokens = new Map<string, string>()
  const token = async (username: string) => {
    let t = tokens.get(username)
    if (!t) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: TEST_PASSWORD } })
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
      t = res.json().token as string
      tokens.set(username, t)
    }
    return t
  }
  return {
    app,
    db,
    token,
    async as(username, req) {
      const opts: InjectOptions = typeof req === 'string' ? { method: 'GET', url: req } : req
      return app.inject({ ...opts, headers: { ...(opts.headers ?? {}), authorization: `Bearer ${await token(username)}` } })
    },
    async close() {
      await app.close()
      await db.close()
    },
  }
}
