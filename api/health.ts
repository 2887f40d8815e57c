import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from './db/types.ts'

export const healthRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'liveness and database engine',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]) }),
        },
      },
    },
    async () => {
      await db.query('SELECT 1')
      return { status: 'ok' as const, db: db.engine }
    },
  )
}
