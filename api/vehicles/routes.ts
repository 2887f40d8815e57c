import type { FastifyPluginAsync } from 'fastify'
import ExcelJS from 'exceljs'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { can, requirePermission } from '../access/policy.ts'
import { dispatchForWall } from '../access/wall-view.ts'
import { ownTown, ownVillage } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { DateStr, DateTimeStr } from '../http/dates.ts'
import { maskName, maskPhone } from '../privacy/mask.ts'
import { ALERT_KINDS, type AlertKind, type PositionInput } from '../../geo/vehicles.ts'
import { handleAlert, listAlerts, VehicleAlertSchema } from './alerts.ts'
import { cancelDispatch, createDispatch, listDispatches } from './dispatch.ts'
import { getTrack, listStops, listVehicleFacts, toSummary } from './repository.ts'
import type { VehicleService } from './service.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const MAX_TRACK_HOURS = 48

// Types only: ranges are checked per fix by the ingest function, so one bad fix is reported
// by index and field while the rest of the batch is stored (a device would otherwise resend
// the whole batch forever, or drop it).
const Position = Type.Object(
  {
    vehicleId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    time: Type.String({ maxLength: 40, description: 'ISO 8601; at most 2 minutes ahead of the server' }),
    lon: Type.Number({ description: 'WGS-84 (or GCJ-02 with crs: gcj02), [-180, 180]' }),
    lat: Type.Number({ description: '[-90, 90]' }),
    speedKmh: Type.Number({ description: '[0, 300]' }),
    heading: Type.Number({ description: 'degrees clockwise from north, [0, 360]' }),
    accuracy: Type.Optional(Type.Number({ description: 'metres' })),
  },
  { additionalProperties: false },
)

/** A CSV field, quoted when needed, and never read by a spreadsheet as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

function timeRange(q: { from: string; to: string }): { from: Date; to: Date } {
  const from = new Date(q.from)
  const to = new Date(q.to)
  if (!(to > from)) throw new HttpError(400, 'querystring/to must be after from')
  if (to.getTime() - from.getTime() > MAX_TRACK_HOURS * 3_600_000) throw new HttpError(400, `querystring/to must be within ${MAX_TRACK_HOURS} hours of from`)
  return { from, to }
}

export const vehicleRoutes: FastifyPluginAsync<{ db: Db; vehicles: VehicleService }> = async (app, { db, vehicles }) => {
  const assertVehicle = async (id: number) => {
    if (!(await db.query('SELECT 1 FROM vehicles WHERE id = $1', [id])).rows.length) throw notFound(`vehicle ${id}`)
  }

  app.post<{ Body: { positions: PositionInput[]; crs?: 'wgs84' | 'gcj02' } }>(
    '/vehicles/positions',
    {
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags: ['vehicles'],
        summary: 'ingest GPS fixes; 202 once durably stored; resends are idempotent',
        body: Type.Object(
          {
            positions: Type.Array(Position, { minItems: 1, maxItems: 5000 }),
            crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      requirePermission(req, 'vehicles.ingest')
      const r = await vehicles.ingest(req.body.positions, { crs: req.body.crs })
      if (r.accepted === 0 && r.rejected.length) {
        const more = r.rejected.length > 1 ? ` (and ${r.rejected.length - 1} more)` : ''
        throw new HttpError(400, r.rejected[0].message + more)
      }
      return reply.code(202).send({ accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected })
    },
  )

  app.get('/vehicles', { schema: { tags: ['vehicles'], summary: 'vehicles with status, latest position, today\'s distance and coverage' } }, async (req) => {
    const user = requirePermission(req, 'vehicles.read')
    const now = Date.now()
    const rows = await listVehicleFacts(db, vehicles.settings.rules.stopRadiusMeters, now)
    // drivers' names are for the people who dispatch them; the wall shows them masked
    const showDriver = can(user, 'vehicles.driverNames')
    // a driver's phone is for the people who keep the fleet; the others see it masked
    const showPhone = can(user, 'vehicles.driverPhones')
    // a town's accounts: the trucks serving their town and the county's own, never another town's
    const town = ownTown(user)
    const list = rows.filter((row) => town === null || row.town_id === null || row.town_id === town).map((row) => {
      const v = toSummary(row, vehicles.hub.get(row.id), vehicles.settings.rules.offlineAfterSeconds, now)
      const phone = showPhone || v.driverPhone === null ? v.driverPhone : maskPhone(v.driverPhone)
      return showDriver ? { ...v, driverPhone: phone } : { ...v, driverName: maskName(v.driverName), driverPhone: phone }
    })
    // a village's people follow the trucks serving their village, as on the live socket
    const village = ownVillage(user)
    return village === null ? list : list.filter((v) => v.villageId === village)
  })

  app.get<{ Params: { id: number }; Querystring: { from: string; to: string; simplify: number } }>(
    '/vehicles/:id/track',
    {
      schema: {
        tags: ['vehicles'],
        summary: `a vehicle's track as a GeoJSON LineString with per-vertex times (≤ ${MAX_TRACK_HOURS} h)`,
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            from: DateTimeStr(),
            to: DateTimeStr(),
            simplify: Type.Number({ minimum: 0, maximum: 1000, default: 0, description: 'tolerance in metres; speeds are left out when > 0' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requirePermission(req, 'vehicles.history')
      const { from, to } = timeRange(req.query)
      await assertVehicle(req.params.id)
      return getTrack(db, req.params.id, from, to, req.query.simplify)
    },
  )

  app.get<{ Params: { id: number }; Querystring: { from: string; to: string; minMinutes: number } }>(
    '/vehicles/:id/stops',
    {
      schema: {
        tags: ['vehicles'],
        summary: `where a vehicle stood still, and at which collection point or transfer station (≤ ${MAX_TRACK_HOURS} h)`,
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            from: DateTimeStr(),
            to: DateTimeStr(),
            minMinutes: Type.Number({ minimum: 0.5, maximum: 600, default: 2 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requirePermission(req, 'vehicles.history')
      const { from, to } = timeRange(req.query)
      await assertVehicle(req.params.id)
      return listStops(db, req.params.id, from, to, req.query.minMinutes * 60, vehicles.settings.rules.stopRadiusMeters)
    },
  )

  /** The day's mileage, coverage and alerts per truck, as rows with a heading row. */
  async function dailyReport(date: string, user: AuthUser): Promise<(string | number)[][]> {
    // midnight to midnight in Asia/Shanghai (UTC+8)
    const start = new Date(`${date}T00:00:00+08:00`)
    const end = new Date(start.getTime() + 86_400_000)
    const rows = await listVehicleFacts(db, vehicles.settings.rules.stopRadiusMeters, start.getTime(), end)
    const alertCounts = await db.query<{ vehicle_id: number; n: number }>(
      'SELECT vehicle_id, count(*)::int AS n FROM vehicle_alerts WHERE raised_at >= $1 AND raised_at < $2 GROUP BY vehicle_id',
      [start.toISOString(), end.toISOString()],
    )
    const alertsBy = new Map(alertCounts.rows.map((r) => [r.vehicle_id, r.n]))
    const showDriver = can(user, 'vehicles.driverNames')
    const lines: (string | number)[][] = [['日期', '车牌', '车辆', '驾驶员', '里程(km)', '已到收集点', '应到收集点', '覆盖率(%)', '告警数']]
    for (const r of rows) {
      lines.push([
        date, r.plate, r.name, showDriver ? r.driver_name : maskName(r.driver_name),
        Math.round((r.distance_m ?? 0) / 100) / 10, r.points_visited, r.points_on_route,
        r.points_on_route ? Math.round((r.points_visited / r.points_on_route) * 100) : '',
        alertsBy.get(r.id) ?? 0,
      ])
    }
    return lines
  }

  const reportQuery = Type.Object({ date: DateStr({ description: 'a day in Asia/Shanghai, YYYY-MM-DD' }) }, { additionalProperties: false })
  app.get<{ Querystring: { date: string } }>(
    '/vehicles/report.csv',
    { schema: { tags: ['vehicles'], summary: 'daily mileage and collection coverage per vehicle, CSV (UTF-8 with BOM, opens in Excel)', querystring: reportQuery } },
    async (req, reply) => {
      const lines = await dailyReport(req.query.date, requirePermission(req, 'vehicles.export'))
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="vehicles-${req.query.date}.csv"`)
        // kilometres with one decimal, as the column says
        .send('\uFEFF' + lines.map((l, r) => l.map((v, i) => csvField(r > 0 && i === 4 ? (v as number).toFixed(1) : String(v))).join(',')).join('\r\n') + '\r\n')
    },
  )
  app.get<{ Querystring: { date: string } }>(
    '/vehicles/report.xlsx',
    { schema: { tags: ['vehicles'], summary: 'the same daily report as an Excel workbook (numbers as numbers)', querystring: reportQuery } },
    async (req, reply) => {
      const lines = await dailyReport(req.query.date, requirePermission(req, 'vehicles.export'))
      const book = new ExcelJS.Workbook()
      const sheet = book.addWorksheet(`清运日报 ${req.query.date}`)
      sheet.addRows(lines)
      sheet.getRow(1).font = { bold: true }
      sheet.columns.forEach((c) => (c.width = 12))
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', `attachment; filename="vehicles-${req.query.date}.xlsx"`)
        .send(Buffer.from(await book.xlsx.writeBuffer()))
    },
  )

  app.get<{ Querystring: { view: 'open' | 'all'; limit: number; vehicleId?: number; kind?: AlertKind } }>(
    '/vehicles/alerts',
    {
      schema: {
        tags: ['vehicles'],
        summary: 'vehicle alerts, newest first; open = not yet closed by a dispatcher',
        querystring: Type.Object(
          {
            view: Type.Union([Type.Literal('open'), Type.Literal('all')], { default: 'open' }),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            vehicleId: Type.Optional(Id),
            // the desk asks for the emergencies apart: one must not hide behind hundreds of newer alerts
            kind: Type.Optional(Type.Union(ALERT_KINDS.map((k) => Type.Literal(k)))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(VehicleAlertSchema) },
      },
    },
    async (req) => {
      const village = ownVillage(requirePermission(req, 'vehicles.alerts'))
      if (village === 'none') return []
      return listAlerts(db, { view: req.query.view, limit: req.query.limit, vehicleId: req.query.vehicleId, kind: req.query.kind, villageId: village })
    },
  )

  app.post<{ Params: { id: number; action: 'acknowledge' | 'close' } }>(
    '/vehicles/alerts/:id/:action',
    {
      schema: {
        tags: ['vehicles'],
        summary: 'a dispatcher acknowledges or closes an alert',
        params: Type.Object({ id: Id, action: Type.Union([Type.Literal('acknowledge'), Type.Literal('close')]) }),
      },
    },
    async (req) => {
      const user = requirePermission(req, 'vehicles.dispatch')
      return handleAlert(db, req.params.id, req.params.action, user.username)
    },
  )

  app.post<{ Params: { id: number }; Body: { collectionPointId: number; note?: string } }>(
    '/vehicles/:id/dispatch',
    {
      schema: {
        tags: ['vehicles'],
        summary: 'send a truck to a collection point; pushed to the truck and the screens, done when it stands there',
        params: Type.Object({ id: Id }),
        body: Type.Object({ collectionPointId: Id, note: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'vehicles.dispatch')
      return reply.code(201).send(await createDispatch(db, req.params.id, req.body.collectionPointId, req.body.note ?? '', user.username))
    },
  )

  app.post<{ Params: { id: number } }>(
    '/vehicles/dispatches/:id/cancel',
    { schema: { tags: ['vehicles'], summary: 'cancel a dispatch order still under way', params: Type.Object({ id: Id }) } },
    async (req) => {
      const user = requirePermission(req, 'vehicles.dispatch')
      return cancelDispatch(db, req.params.id, user.username)
    },
  )

  app.get<{ Querystring: { active: number; limit: number } }>(
    '/vehicles/dispatches',
    {
      schema: {
        tags: ['vehicles'],
        summary: 'dispatch orders, newest first',
        querystring: Type.Object(
          { active: Type.Integer({ minimum: 0, maximum: 1, default: 1 }), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const user = requirePermission(req, 'vehicles.history')
      const list = await listDispatches(db, req.query.active === 1, req.query.limit)
      return can(user, 'freeText.read') ? list : list.map(dispatchForWall)
    },
  )
}
