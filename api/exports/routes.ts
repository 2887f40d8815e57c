import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import { AUDIT_KIND_NAMES, listAudit, originOf, writeAudit, type AuditKind } from '../access/audit.ts'
import { ownVillage } from '../access/scope.ts'
import { leagueTown, SCOPE_PATTERN } from '../access/screen-scope.ts'
import { DateTimeStr } from '../http/dates.ts'
import { maskName, maskPhone } from '../privacy/mask.ts'
import { listWorkOrders } from '../work-orders/inbox.ts'
import { rankings } from '../work-orders/rankings.ts'
import { listAlerts } from '../vehicles/alerts.ts'
import { INBOX_LABELS, INBOX_TABS, SOURCE_LABELS, STATE_LABELS, WORK_ORDER_SOURCES, WORK_ORDER_STATES, type InboxTab, type WorkOrder, type WorkOrderSource, type WorkOrderState } from '../../geo/work-orders.ts'
import { ALERT_LABELS } from '../../geo/vehicles.ts'
import { AUDIT_ACTION_LABELS, AUDIT_KIND_LABELS } from '../../geo/audit.ts'
import { assertBounded, MAX_EXPORT_ROWS, sendXlsx, shanghai, shanghaiDay, type Cell } from './xlsx.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const literalUnion = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))
const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10)
/** tied scores share a rank (1, 2, 2, 4), as a league table reads */
const ranked = <T extends { score: number }>(rows: T[]) => rows.map((r) => ({ rank: rows.findIndex((x) => x.score === r.score) + 1, r }))

interface OrderQuery {
  tab?: InboxTab; town?: number; village?: number; grid?: number; state?: WorkOrderState; category?: string; source?: WorkOrderSource
  overdue?: boolean; open?: boolean; from?: string; to?: string; q?: string
}

/**
 * Lists as spreadsheets (导出), from the desk's pages: work orders with the inbox's filters, the
 * league tables, vehicle alerts and the audit trail. Each asks the same permission and scope as
 * its list (a wall exports nothing), masks personal fields as the list does for the role, holds at
 * most MAX_EXPORT_ROWS rows, and writes an audit row saying who took what.
 */
export const exportRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: OrderQuery }>(
    '/work-orders/export.xlsx',
    {
      schema: {
        tags: ['work orders'],
        summary: `the orders of the list (GET /work-orders's filters) as a spreadsheet, at most ${MAX_EXPORT_ROWS} (422 export_too_large past it); audited`,
        querystring: Type.Object(
          {
            tab: Type.Optional(literalUnion(INBOX_TABS)), town: Type.Optional(Id), village: Type.Optional(Id), grid: Type.Optional(Id),
            state: Type.Optional(literalUnion(WORK_ORDER_STATES)), category: Type.Optional(Type.String({ maxLength: 32 })),
            source: Type.Optional(literalUnion(WORK_ORDER_SOURCES)), overdue: Type.Optional(Type.Boolean()), open: Type.Optional(Type.Boolean()),
            from: Type.Optional(DateTimeStr()), to: Type.Optional(DateTimeStr()), q: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'workOrders.export')
      const q = req.query
      const orders = (await listWorkOrders(db, {
        tab: q.tab, townId: q.town, villageId: q.village, gridId: q.grid, state: q.state, category: q.category, source: q.source, overdue: q.overdue,
        open: q.open, from: q.from, to: q.to, q: q.q, limit: MAX_EXPORT_ROWS + 1,
      }, user)) as WorkOrder[]
      assertBounded(orders.length, 'orders')
      // the caller of a hotline or resident report: masked, and only for the command center, as on the order's page
      const callers = new Map<number, { name: string; phone: string }>()
      const withCaller = can(user, 'workOrders.callerAccount')
      if (withCaller && orders.length) {
        const r = await db.query<{ id: number; reporter_name: string | null; reporter_phone: string | null }>(
          `SELECT id, reporter_name, reporter_phone FROM work_orders WHERE id = ANY($1::int[]) AND (reporter_name <> '' OR reporter_phone <> '')`, [orders.map((o) => o.id)])
        for (const c of r.rows) callers.set(c.id, { name: c.reporter_name ? maskName(c.reporter_name) : '', phone: maskPhone(c.reporter_phone) })
      }
      const filters = Object.entries(q).map(([k, v]) => `${k}=${String(v)}`).join('&') || 'all'
      await writeAudit(db, user, originOf(req), { action: 'workOrderExport', reason: `${orders.length} orders (${filters})` })
      const header = ['工单号', '类别', '状态', '来源', '村', '网格', '地址', '描述', ...(withCaller ? ['来电人', '来电电话'] : []), '承办单位', '上报时间', '办理期限', '是否超期', '办结时间', '满意度']
      const rows: Cell[][] = orders.map((o) => [
        o.id, o.categoryName, STATE_LABELS[o.state] ?? o.state, SOURCE_LABELS[o.source] ?? o.source, o.villageName, o.gridName, o.address, o.description,
        ...(withCaller ? [callers.get(o.id)?.name ?? '', callers.get(o.id)?.phone ?? ''] : []),
        o.assigneeName ?? '', shanghai(o.createdAt), shanghai(o.deadlineAt), o.overdue ? '是' : o.wasOverdue ? '曾超期' : '否', shanghai(o.closedAt), o.satisfaction,
      ])
      const widths = [9, 12, 8, 10, 12, 12, 24, 40, ...(withCaller ? [10, 14] : []), 14, 17, 17, 9, 17, 7]
      const label = q.tab ? INBOX_LABELS[q.tab] : '全部'
      return sendXlsx(reply, `工单-${label}-${shanghaiDay()}.xlsx`, `work-orders-${shanghaiDay()}.xlsx`, [{ name: '工单', header, widths, rows }])
    },
  )

  app.get<{ Querystring: { days?: number; scope?: string } }>(
    '/work-orders/rankings/export.xlsx',
    {
      schema: {
        tags: ['work orders'],
        summary: '擂台赛 as a spreadsheet: the villages, grid workers and departments tables (GET /work-orders/rankings\'s window and scope); audited',
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })), scope: Type.Optional(Type.String({ pattern: SCOPE_PATTERN, maxLength: 20 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'workOrders.rankingsExport')
      const townId = await leagueTown(db, user, req.query.scope)
      const now = new Date()
      const days = req.query.days ?? 30
      const t = await rankings(db, new Date(now.getTime() - days * 86_400_000), now, now, { townId })
      await writeAudit(db, user, originOf(req), { action: 'rankingsExport', reason: `last ${days} days${townId ? `, town ${townId}` : ''}` })
      return sendXlsx(reply, `考核排名-近${days}天-${shanghaiDay()}.xlsx`, `rankings-${shanghaiDay()}.xlsx`, [
        {
          name: '村', header: ['名次', '村', '工单数', '办结率(%)', '按期办结率(%)', '满意度', '走访覆盖率(%)', '得分'], widths: [6, 14, 8, 10, 13, 8, 13, 8],
          rows: ranked(t.villages).map(({ rank, r }) => [rank, r.villageName, r.total, pct(r.closureRate), pct(r.onTimeRate), r.satisfaction, pct(r.visitCoverage), r.score]),
        },
        {
          name: '网格员', header: ['名次', '村', '网格', '网格员', '上报', '走访', '走访覆盖率(%)', '得分'], widths: [6, 14, 14, 10, 7, 7, 13, 8],
          rows: ranked(t.gridWorkers).map(({ rank, r }) => [rank, r.villageName, r.gridName, r.gridWorkerName, r.reports, r.visits, pct(r.visitCoverage), r.score]),
        },
        {
          name: '县直部门', header: ['名次', '部门', '收到', '办结', '按期办结率(%)', '满意度', '退回', '得分'], widths: [6, 16, 7, 7, 13, 8, 7, 8],
          rows: ranked(t.departments).map(({ rank, r }) => [rank, r.departmentName, r.received, r.handled, pct(r.onTimeRate), r.satisfaction, r.sentBack, r.score]),
        },
      ])
    },
  )

  app.get<{ Querystring: { view: 'open' | 'all'; vehicleId?: number } }>(
    '/vehicles/alerts/export.xlsx',
    {
      schema: {
        tags: ['vehicles'],
        summary: `vehicle alerts as a spreadsheet (GET /vehicles/alerts's view, in the caller's village or all), at most ${MAX_EXPORT_ROWS}; audited`,
        querystring: Type.Object(
          { view: Type.Union([Type.Literal('open'), Type.Literal('all')], { default: 'all' }), vehicleId: Type.Optional(Id) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'vehicles.alertsExport')
      const village = ownVillage(user)
      const alerts = village === 'none' ? [] : await listAlerts(db, { view: req.query.view, limit: MAX_EXPORT_ROWS + 1, vehicleId: req.query.vehicleId, villageId: village })
      assertBounded(alerts.length, 'alerts')
      await writeAudit(db, user, originOf(req), { action: 'alertsExport', reason: `${alerts.length} alerts (${req.query.view}${req.query.vehicleId ? `, vehicle ${req.query.vehicleId}` : ''})` })
      const STATE: Record<string, string> = { open: '未处理', acknowledged: '已确认', closed: '已关闭' }
      return sendXlsx(reply, `车辆告警-${shanghaiDay()}.xlsx`, `vehicle-alerts-${shanghaiDay()}.xlsx`, [{
        name: '车辆告警', header: ['告警号', '车牌', '类型', '状态', '说明', '发生时间', '结束时间', '确认人', '关闭人', '经度', '纬度'],
        widths: [8, 11, 10, 8, 36, 17, 17, 12, 12, 11, 10],
        rows: alerts.map((a) => [a.id, a.plate, ALERT_LABELS[a.kind] ?? a.kind, STATE[a.state] ?? a.state, a.message, shanghai(a.raisedAt), shanghai(a.endedAt),
          a.acknowledgedBy ?? '', a.closedBy ?? '', a.lon, a.lat]),
      }])
    },
  )

  app.get<{ Querystring: { kind?: AuditKind; username?: string } }>(
    '/audit/export.xlsx',
    {
      schema: {
        tags: ['people'],
        summary: `the audit trail as a spreadsheet (GET /audit's kind and account filters), newest first, at most ${MAX_EXPORT_ROWS}; the export is itself audited (admin)`,
        querystring: Type.Object(
          { kind: Type.Optional(Type.Union(AUDIT_KIND_NAMES.map((k) => Type.Literal(k)))), username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'audit.read')
      const entries = await listAudit(db, { limit: MAX_EXPORT_ROWS + 1, offset: 0, kind: req.query.kind, username: req.query.username })
      assertBounded(entries.length, 'audit rows')
      // written after the read: the file holds the trail as it was asked for
      await writeAudit(db, user, originOf(req), { action: 'auditExport', reason: `${entries.length} rows (${req.query.kind ?? 'all kinds'}${req.query.username ? `, ${req.query.username}` : ''})` })
      return sendXlsx(reply, `审计日志-${shanghaiDay()}.xlsx`, `audit-${shanghaiDay()}.xlsx`, [{
        name: '审计日志', header: ['编号', '时间', '账号', '角色', '类别', '操作', '对象', '事由/内容', '来源地址'],
        widths: [8, 17, 14, 10, 12, 18, 12, 60, 16],
        rows: entries.map((e) => [e.id, shanghai(e.at), e.username, e.role, AUDIT_KIND_LABELS[e.kind], AUDIT_ACTION_LABELS[e.action] ?? e.action,
          e.residentId ? `居民 ${e.residentId}` : e.workOrderId ? `工单 ${e.workOrderId}` : e.disputeId ? `纠纷 ${e.disputeId}` : '', e.reason, e.ip]),
      }])
    },
  )
}
