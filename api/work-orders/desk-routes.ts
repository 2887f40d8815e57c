import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { DateTimeStr } from '../http/dates.ts'
import { INBOX_TABS, WORK_ORDER_SOURCES, WORK_ORDER_STATES, type InboxTab, type WorkOrderSource, type WorkOrderState } from '../../geo/work-orders.ts'
import { inboxCounts, listWorkOrders } from './inbox.ts'
import { revealCaller } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const literalUnion = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))

interface ListQuery {
  tab?: InboxTab
  village?: number
  grid?: number
  town?: number
  state?: WorkOrderState
  category?: string
  source?: WorkOrderSource
  overdue?: boolean
  open?: boolean
  from?: string
  to?: string
  q?: string
  before?: number
  limit?: number
}

/** Lists and the inbox of the people who work orders (the desk, the wall's feed, the phone). */
export const workOrderDeskRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: ListQuery }>(
    '/work-orders',
    {
      schema: {
        tags: ['work orders'],
        summary: 'orders in your scope, newest first (keyset paging with before=id); tab= for what waits for you',
        querystring: Type.Object(
          {
            tab: Type.Optional(literalUnion(INBOX_TABS)),
            town: Type.Optional(Id),
            village: Type.Optional(Id),
            grid: Type.Optional(Id),
            state: Type.Optional(literalUnion(WORK_ORDER_STATES)),
            category: Type.Optional(Type.String({ maxLength: 32 })),
            source: Type.Optional(literalUnion(WORK_ORDER_SOURCES)),
            overdue: Type.Optional(Type.Boolean()),
            open: Type.Optional(Type.Boolean({ description: 'true: not closed yet; false: closed' })),
            from: Type.Optional(DateTimeStr({ description: 'reported at or after' })),
            to: Type.Optional(DateTimeStr({ description: 'reported before' })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'words in the description or address, an order or hotline number' })),
            before: Type.Optional(Id),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const user = requirePermission(req, 'workOrders.read')
      const q = req.query
      return listWorkOrders(db, {
        tab: q.tab, townId: q.town, villageId: q.village, gridId: q.grid, state: q.state, category: q.category, source: q.source, overdue: q.overdue,
        open: q.open, from: q.from, to: q.to, q: q.q, before: q.before, limit: q.limit ?? 50,
      }, user)
    },
  )

  app.get(
    '/work-orders/inbox',
    {
      schema: {
        tags: ['work orders'],
        summary: 'how many orders wait for you in each inbox tab (待派单, 待办理, 待审核, 待回复, 已超期, 全部)',
        response: { 200: Type.Object(Object.fromEntries(INBOX_TABS.map((t) => [t, Type.Integer()]))) },
      },
    },
    async (req) => inboxCounts(db, requirePermission(req, 'workOrders.read')),
  )

  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    '/work-orders/:id/caller',
    {
      schema: {
        tags: ['work orders'],
        summary: "回访: the caller's name and phone for a call-back, unmasked and audited (command center)",
        params: Type.Object({ id: Id }),
        body: Type.Object({ reason: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ name: Type.String(), phone: Type.String() }) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'workOrders.callerAccount')
      return revealCaller(db, req.params.id, user, req.body.reason.trim(), req.ip, req.headers['user-agent'] ?? '')
    },
  )

  app.get(
    '/departments',
    {
      schema: {
        tags: ['work orders'],
        summary: 'the county departments orders go up to (乡呼县应)',
        response: { 200: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })) },
      },
    },
    async (req) => {
      requirePermission(req, 'workOrders.read')
      return (await db.query<{ id: number; name: string }>('SELECT id, name FROM departments ORDER BY id')).rows
    },
  )
}
