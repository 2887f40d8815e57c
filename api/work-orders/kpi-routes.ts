import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { allowedScope, leagueTown, SCOPE_PATTERN, scopeFilter } from '../access/screen-scope.ts'
import { workOrderKpis } from './kpis.ts'
import { rankings } from './rankings.ts'
import { asWall, WALL_POINT } from './wall-order.ts'

const Rate = Type.Union([Type.Number(), Type.Null()])
const Int = Type.Integer()
/** the league tables' answer: also a whitelist of what a wall receives (no names beyond these) */
const Rankings = Type.Object({
  villages: Type.Array(Type.Object({ villageId: Int, villageName: Type.String(), total: Int, closureRate: Rate, onTimeRate: Rate, satisfaction: Rate, visitCoverage: Rate, score: Type.Number(), rank: Int })),
  gridWorkers: Type.Array(Type.Object({ gridId: Int, gridName: Type.String(), villageName: Type.String(), gridWorkerName: Type.String(), reports: Int, visits: Int, visitCoverage: Rate, score: Type.Number(), rank: Int })),
  departments: Type.Array(Type.Object({ departmentId: Int, departmentName: Type.String(), received: Int, handled: Int, onTimeRate: Rate, satisfaction: Rate, sentBack: Int, score: Type.Number(), rank: Int })),
})

/** The figures of the loop: KPIs and a heatmap per screen scope, and the league tables (擂台赛). */
export const workOrderKpiRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: { scope: string; days?: number } }>(
    '/work-orders/kpis',
    {
      schema: {
        tags: ['work orders'],
        summary: 'on-time rate, closure rate, average handling time, satisfaction and visit coverage for a scope',
        querystring: Type.Object(
          { scope: Type.String({ pattern: SCOPE_PATTERN, maxLength: 20 }), days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const scope = scopeFilter(await allowedScope(db, requirePermission(req, 'workOrders.read'), req.query.scope))
      const now = new Date()
      const from = new Date(now.getTime() - (req.query.days ?? 30) * 86_400_000)
      return workOrderKpis(db, scope, from, now, now)
    },
  )

  app.get<{ Querystring: { scope: string; days?: number } }>(
    '/work-orders/heat',
    {
      schema: {
        tags: ['work orders'],
        summary: 'where orders were reported in a scope and period, as [lon, lat] pairs for a heatmap (at most 50,000)',
        querystring: Type.Object(
          { scope: Type.String({ pattern: SCOPE_PATTERN, maxLength: 20 }), days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const user = requirePermission(req, 'workOrders.read')
      const scope = scopeFilter(await allowedScope(db, user, req.query.scope))
      // a wall sees an order of a sensitive category at its grid's label point (wall-order.ts)
      const r = await db.query<{ points: [number, number][] | null }>(
        `SELECT json_agg(json_build_array(round(ST_X(geom)::numeric, 5), round(ST_Y(geom)::numeric, 5))) AS points FROM (
           SELECT ${asWall(user) ? WALL_POINT : 'o.geom'} AS geom FROM work_orders o
            WHERE o.created_at >= now() - make_interval(days => $1) AND ($2::int IS NULL OR o.village_id = $2) AND ($3::int IS NULL OR o.grid_id = $3)
              AND ($4::int IS NULL OR o.village_id IN (SELECT tv.id FROM villages tv WHERE tv.town_id = $4))
            ORDER BY o.id DESC LIMIT 50000) p`,
        [req.query.days ?? 365, scope.villageId, scope.gridId, scope.townId],
      )
      return { points: (r.rows[0].points ?? []).map(([lon, lat]) => [Number(lon), Number(lat)]) }
    },
  )

  app.get<{ Querystring: { days?: number; scope?: string } }>(
    '/work-orders/rankings',
    {
      schema: {
        tags: ['work orders'],
        summary: '擂台赛: villages, grid workers and county departments ranked, within a town or the county (default: the caller\'s own)',
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })), scope: Type.Optional(Type.String({ pattern: SCOPE_PATTERN, maxLength: 20 })) },
          { additionalProperties: false },
        ),
        response: { 200: Rankings },
      },
    },
    async (req) => {
      const townId = await leagueTown(db, requirePermission(req, 'workOrders.rankings'), req.query.scope)
      const now = new Date()
      return rankings(db, new Date(now.getTime() - (req.query.days ?? 30) * 86_400_000), now, now, { townId })
    },
  )

}
