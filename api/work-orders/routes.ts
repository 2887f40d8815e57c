import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import { assertHouseholdInScope } from '../access/scope.ts'
import { HttpError } from '../http/errors.ts'
import { WORK_ORDER_ACTIONS, WORK_ORDER_SOURCES, WORK_ORDER_STATES, type WorkOrder, type WorkOrderSource } from '../../geo/work-orders.ts'
import { actOnWorkOrder, createWorkOrder, escalateOverdue, getWorkOrder, WORK_ORDERS_CHANNEL, type ActionInput, type NewWorkOrder } from './repository.ts'
import { workOrderKpiRoutes } from './kpi-routes.ts'
import { workOrderDeskRoutes } from './desk-routes.ts'
import { replyTemplateRoutes } from './templates.ts'
import { recordVisit } from './visits.ts'
import { villageTowns } from '../towns/village-towns.ts'
import { hotlineImportRoutes } from './hotline-import-routes.ts'
import { asWall, getWallWorkOrder, wallOrder } from './wall-order.ts'
import { REDACTED_ROOM } from '../access/wall-view.ts'
import { originOf, writeAudit } from '../access/audit.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const PhotoIds = Type.Array(Id, { maxItems: 9 })
/** a key the phone's offline queue gives each report, so a replay makes no second order */
const ClientKey = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })
const literalUnion = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))

export const workOrderRoutes: FastifyPluginAsync<{ db: Db; escalateEveryMs?: number }> = async (app, { db, escalateEveryMs = 60_000 }) => {
  // every process escalates; the row lock makes each step happen once
  const timer = setInterval(() => void escalateOverdue(db).catch((err) => app.log.error({ err }, 'work order escalation failed')), escalateEveryMs)
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))

  // every change reaches the screens in scope on every process (NOTIFY is sent on commit)
  const townOf = villageTowns(db)
  const unlisten = await db.listen(WORK_ORDERS_CHANNEL, async (payload) => {
    try {
      const order = JSON.parse(payload) as WorkOrder
      const rooms = ['town', `village:${order.villageId}`, `grid:${order.gridId}`]
      const town = await townOf(order.villageId)
      if (town !== null) rooms.push(`town:${town}`)
      if (order.assigneeVillageId && order.assigneeVillageId !== order.villageId) rooms.push(`village:${order.assigneeVillageId}`)
      if (order.assigneeDepartmentId) rooms.push(`department:${order.assigneeDepartmentId}`)
      app.io.local.to(rooms).except(REDACTED_ROOM).emit('workOrder', order)
      // the walls among them get the order as REST gives it to them: read again, without free text
      const walls = (await app.io.local.in(rooms).fetchSockets()).filter((s) => s.rooms.has(REDACTED_ROOM))
      const shown = walls.length ? await wallOrder(db, order.id) : null
      if (shown) for (const s of walls) s.emit('workOrder', shown)
    } catch (err) {
      app.log.warn({ err }, 'bad work order notification dropped')
    }
  })
  app.addHook('onClose', async () => unlisten())

  app.get('/work-orders/categories', { schema: { tags: ['work orders'], summary: 'categories, responsible departments and deadlines per state' } }, async (req) => {
    requirePermission(req, 'workOrders.read')
    const r = await db.query(
      `SELECT c.code, c.name, d.id AS "departmentId", c.department_name AS "departmentName", c.sla_hours AS "slaHours", c.sensitive
         FROM work_order_categories c LEFT JOIN departments d ON d.name = c.department_name ORDER BY c.position`)
    return r.rows
  })

  const Hours = Type.Number({ exclusiveMinimum: 0, maximum: 8760 })
  app.put<{ Params: { code: string }; Body: { name: string; departmentName: string | null; slaHours: Record<string, number>; sensitive?: boolean } }>(
    '/work-orders/categories/:code',
    {
      schema: {
        tags: ['work orders'],
        summary: 'add or change a category: its name, the county department it goes up to, its deadlines per state, whether it is sensitive (admin)',
        params: Type.Object({ code: Type.String({ pattern: '^[a-zA-Z]{2,32}$' }) }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 2, maxLength: 20 }),
            // null first: with type coercion on, ajv would turn null into '' for a string-first union
            departmentName: Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 50 })]),
            slaHours: Type.Object(
              { asked: Hours, dispatched: Hours, transferred: Hours, handled: Hours, reviewed: Hours, replied: Hours },
              { additionalProperties: false },
            ),
            sensitive: Type.Optional(Type.Boolean({
              description: "orders about one household's private matters (低保, 救助, family disputes): a wall sees them at their grid's label point, without photos; unchanged when not given (new: false)",
            })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const admin = requirePermission(req, 'workOrders.configure')
      const { name, departmentName, slaHours, sensitive } = req.body
      if (departmentName !== null && !(await db.query('SELECT 1 FROM departments WHERE name = $1', [departmentName])).rows.length) {
        throw new HttpError(400, `body/departmentName is not a known department (${departmentName})`)
      }
      const r = await db.query(
        `INSERT INTO work_order_categories (code, name, department_name, sla_hours, position, sensitive)
         VALUES ($1, $2, $3, $4::jsonb, (SELECT coalesce(max(position), 0) + 1 FROM work_order_categories), coalesce($5::boolean, false))
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, department_name = excluded.department_name, sla_hours = excluded.sla_hours,
                                          sensitive = coalesce($5::boolean, work_order_categories.sensitive)
         RETURNING code, name, department_name AS "departmentName", sla_hours AS "slaHours", sensitive`,
        [req.params.code, name, departmentName, JSON.stringify(slaHours), sensitive ?? null],
      ).catch((err: { code?: string }) => {
        if (err.code === '23505') throw new HttpError(409, `body/name: another category is already called ${name}`)
        throw err
      })
      const c = r.rows[0] as { departmentName: string | null; sensitive: boolean }
      await writeAudit(db, admin, originOf(req), {
        action: 'categoryUpdate',
        reason: `${req.params.code} ${name}: ${c.departmentName ?? 'no department'}, ${c.sensitive ? 'sensitive' : 'not sensitive'}, hours ${Object.values(slaHours).join('/')}`,
      })
      return r.rows[0]
    },
  )

  app.post<{ Body: NewWorkOrder }>(
    '/work-orders',
    {
      schema: {
        tags: ['work orders'],
        summary: 'report an event: a new order (问), snapped to its grid; 201, or 200 with the same order when clientKey was sent before',
        body: Type.Object(
          {
            category: Type.String({ maxLength: 32 }),
            description: Type.String({ minLength: 2, maxLength: 2000 }),
            lon: Type.Number({ minimum: -180, maximum: 180 }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            address: Type.Optional(Type.String({ maxLength: 200 })),
            source: Type.Optional(literalUnion(WORK_ORDER_SOURCES)),
            externalId: Type.Optional(Type.String({ maxLength: 64 })),
            reporterName: Type.Optional(Type.String({ maxLength: 50 })),
            reporterPhone: Type.Optional(Type.String({ maxLength: 20 })),
            clientKey: Type.Optional(ClientKey),
            photoIds: Type.Optional(PhotoIds),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'workOrders.report')
      const source: WorkOrderSource | undefined = req.body.source
      if (source && source !== 'gridWorker' && !can(user, 'workOrders.fileForOthers')) throw new HttpError(403, `role ${user.role} may not file ${source} orders`)
      // an external number is another system's (12345, a vehicle alert): filed by the center only
      if (req.body.externalId !== undefined && !can(user, 'workOrders.fileForOthers')) throw new HttpError(403, `body/externalId: role ${user.role} may not file orders of other systems`)
      const { order, created } = await createWorkOrder(db, req.body, user)
      return reply.code(created ? 201 : 200).send(order)
    },
  )

  app.get<{ Params: { id: number } }>(
    '/work-orders/:id',
    { schema: { tags: ['work orders'], summary: 'one order with its whole history', params: Type.Object({ id: Id }) } },
    async (req) => {
      const user = requirePermission(req, 'workOrders.read')
      return asWall(user) ? getWallWorkOrder(db, req.params.id, user) : getWorkOrder(db, req.params.id, user)
    },
  )

  app.post<{ Params: { id: number }; Body: ActionInput }>(
    '/work-orders/:id/actions',
    {
      schema: {
        tags: ['work orders'],
        summary: 'one step of the loop (派、转、办、审、回、评, 退回; the center: 重办 a closed order, 作废 or 合并 a report, each with a reason in note); 409 when the order is not in a state that allows it',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            action: literalUnion(WORK_ORDER_ACTIONS),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            photoIds: Type.Optional(PhotoIds),
            villageId: Type.Optional(Id),
            departmentId: Type.Optional(Id),
            approve: Type.Optional(Type.Boolean()),
            satisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
            mergeInto: Type.Optional({ ...Id, description: '合并: the number of the order this duplicate is merged into' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => actOnWorkOrder(db, req.params.id, req.body, requirePermission(req, 'workOrders.act')),
  )

  await app.register(hotlineImportRoutes, { db })
  await app.register(workOrderKpiRoutes, { db })
  await app.register(workOrderDeskRoutes, { db })
  await app.register(replyTemplateRoutes, { db })

  app.post<{ Body: { householdId: number; note?: string; photoIds?: number[]; clientKey?: string; residentIds?: number[] } }>(
    '/household-visits',
    {
      schema: {
        tags: ['work orders'],
        summary: "a grid worker's household visit (入户走访); 201, or 200 when clientKey was sent before",
        body: Type.Object(
          {
            householdId: Id, note: Type.Optional(Type.String({ maxLength: 2000 })), photoIds: Type.Optional(PhotoIds), clientKey: Type.Optional(ClientKey),
            residentIds: Type.Optional(Type.Array(Id, { maxItems: 30, description: 'a ledger follow-up: the members it was about' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'visits.write')
      await assertHouseholdInScope(db, user, req.body.householdId)
      // one transaction: the photos' lock (assertOwnPhotos) holds until the visit carrying them is committed
      const { visit, created } = await db.transaction((tx) => recordVisit(tx, req.body, user))
      return reply.code(created ? 201 : 200).send(visit)
    },
  )
}
