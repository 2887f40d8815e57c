import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import { allowedScope, SCOPE_PATTERN } from '../access/screen-scope.ts'
import { notFound } from '../http/errors.ts'
import { careGroupNames, getStats } from './repository.ts'
import { coarsenStats } from '../access/wall-view.ts'
import { StatsSchema } from './schema.ts'

/** The five modules' figures for a scope: 党建先锋, 村级事务, 疫网即办, 智慧管理, 法制视野. */
export const statsRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: { scope: string } }>(
    '/stats',
    {
      schema: {
        tags: ['stats'],
        summary: 'figures of the five screen modules for county, town, town:ID, village:ID or grid:ID',
        querystring: Type.Object({ scope: Type.String({ pattern: SCOPE_PATTERN, maxLength: 20 }) }, { additionalProperties: false }),
        response: { 200: StatsSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'stats.read')
      const scope = await allowedScope(db, user, req.query.scope)
      const stats = await getStats(db, scope, { keyGroupDetail: can(user, 'stats.keyGroupDetail') })
      if (!stats) throw notFound(`${scope.kind} ${scope.id}`)
      // a wall: no one person may show in a grid's or a village's count (differencing two reads around a move)
      return can(user, 'stats.smallCounts') ? stats : coarsenStats(stats, await careGroupNames(db))
    },
  )
}
