import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../db/types.ts'
import { buildServer } from '../server.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { prepareDatabase } from '../setup/startup.ts'
import { openEmptyDb } from './test-db.ts'
import { TEST_PASSWORD } from './password.ts'

export interface EmptyApp {
  app: FastifyInstance
  db: Db
  as(username: string, req: string | InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

/**
 * A server on a system started empty for production (tests), as `FIXTURES_DIR=none npm start`
 * leaves it: the schema, the catalogue (departments, data items) and the one `admin`; and a
 * county-wide `display`, the first account a township makes; both with the test password. No
 * township data at all until the test puts some in.
 */
export async function openEmptyApp(opts: { logger?: { level: string; stream: { write(line: string): void } } } = {}): Promise<EmptyApp> {
  const db = await openEmptyDb()
  await prepareDatabase(db, { fixturesDir: null, adminPassword: TEST_PASSWORD, say: () => {} })
  await insertUsers(db, [{ username: 'display', displayName: '指挥中心大屏', role: 'display', passwordHash: await hashPassword(TEST_PASSWORD) }])
  const app = await buildServer({ db, logger: opts.logger, loginRateLimit: 10_000 })
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
    async as(username, req) {
      const o: InjectOptions = typeof req === 'string' ? { method: 'GET', url: req } : req
      return app.inject({ ...o, headers: { ...(o.headers ?? {}), authorization: `Bearer ${await token(username)}` } })
    },
    async close() {
      await app.close()
      await db.close()
    },
  }
}
