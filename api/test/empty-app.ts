import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../db/types.ts'
import { buildServer } from '../server.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { recordDeployment } from '../setup/deployment.ts'
import { openEmptyDb } from './test-db.ts'
import { TEST_PASSWORD } from './password.ts'

export interface EmptyApp {
  app: FastifyInstance
  db: Db
  as(username: string, req: string | InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

/**
 * A server on a system started empty for production (tests): the migrated schema, the one
 * `admin` and a county-wide `display` a township makes first, all with the test password, and
 * no data at all until the test puts some in.
 */
export async function openEmptyApp(opts: { logger?: { level: string; stream: { write(line: string): void } } } = {}): Promise<EmptyApp> {
  const db = await openEmptyDb()
  await recordDeployment(db, 'production')
  const passwordHash = await hashPassword(TEST_PASSWORD)
  await insertUsers(db, [
    { username: 'admin', displayName: '系统管理员', role: 'admin', passwordHash },
    { username: 'display', displayName: '指挥中心大屏', role: 'display', passwordHash },
  ])
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
