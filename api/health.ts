import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from './db/types.ts'

export const healthRoutes: FastifyPluginAsync<{ db: Db; version: string }> = async (app, { db, version }) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'liveness, database engine and the build walls compare with their own',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]), version: Type.String() }),
        },
      },
    },
    async () => {
      await db.query('SELECT 1')
      return { status: 'ok' as const, db: db.engine, version }
    },
  )
}
