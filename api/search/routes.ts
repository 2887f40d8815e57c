import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { search } from './repository.ts'

export const searchRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: { q: string; limit: number } }>(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'village, grid, address or resident (masked) for the screen search box',
        querystring: Type.Object(
          { q: Type.String({ minLength: 1, maxLength: 40 }), limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const user = requirePermission(req, 'search')
      const q = req.query.q.trim()
      if (!q) return { hits: [] }
      return { hits: await search(db, q, user, req.query.limit) }
    },
  )
}
