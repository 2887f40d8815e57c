import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import { ERROR_FIELDS, HttpError, rejectedRows } from '../http/errors.ts'
import { maskPhone } from '../privacy/mask.ts'
import { tableReader, type TableReader } from '../imports/table-reader.ts'
import { checkPointRows, checkVehicleRows, type RowError } from './import-rows.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const MAX_FILE_BYTES = 2 * 1024 * 1024
/** a county's trucks and bins, with room: the largest seed township has a few hundred points */
const MAX_ROWS = 5_000
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Errors = Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String() }))
const VehicleReport = Type.Object({
  rows: Type.Integer(), created: Type.Integer(), dryRun: Type.Boolean(), errors: Errors,
  vehicles: Type.Array(Type.Object({
    row: Type.Integer(), plate: Type.String(), kind: Type.String(), kindLabel: Type.String(), name: Type.String(), driverName: Type.String(),
    driverPhone: Nullable(Type.String()), villageName: Nullable(Type.String()),
  })),
})
const PointReport = Type.Object({
  rows: Type.Integer(), created: Type.Integer(), dryRun: Type.Boolean(), errors: Errors,
  points: Type.Array(Type.Object({ row: Type.Integer(), name: Type.String(), villageName: Type.String(), lon: Type.Number(), lat: Type.Number(), bins: Type.Integer() })),
})
const Query = Type.Object({
  dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')], { description: 'collection points: gcj02 for coordinates from 高德/腾讯 maps' })),
}, { additionalProperties: false })

/**
 * 车辆与设施 from sheets: trucks and collection points in bulk, CSV (UTF-8 or GBK) or XLSX read
 * by the shared table reader; a dry run first, then all rows or none (422 names every bad row by
 * line and column).
 */
export const fleetImportRoutes: FastifyPluginAsync<{ db: Db; reader?: TableReader }> = async (app, { db, reader = tableReader }) => {
  app.addContentTypeParser(['text/csv', XLSX], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))

  async function read(req: FastifyRequest, username: string) {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
    if (type !== 'text/csv' && type !== XLSX) throw new HttpError(415, `headers/content-type must be text/csv or ${XLSX}`)
    return reader.read(req.body as Buffer, type === 'text/csv' ? 'csv' : 'xlsx', { maxBytes: MAX_FILE_BYTES, maxRows: MAX_ROWS }, username).catch((err: unknown) => {
      if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`)
      throw err
    })
  }
  const refused = (report: { errors: RowError[] }) => report.errors.length > 0

  app.post<{ Querystring: { dryRun?: number } }>('/imports/vehicles', {
    onRequest: async (req) => void requirePermission(req, 'fleet.manage'),
    schema: {
      tags: ['fleet'],
      summary: 'trucks in bulk: CSV or XLSX with 车牌号,车辆类型,名称,驾驶员,联系电话,所属村 (名称, 联系电话 and 所属村 may be left out); ?dryRun=1 previews; otherwise all rows or none',
      querystring: Query, response: { 200: VehicleReport, 422: Type.Object({ ...VehicleReport.properties, ...ERROR_FIELDS }) },
    },
  }, async (req, reply) => {
    const user = requirePermission(req, 'fleet.manage')
    const table = await read(req, user.username)
    const { vehicles, errors } = await checkVehicleRows(db, user, table)
    const showPhone = can(user, 'vehicles.driverPhones')
    const report = {
      rows: table.rows.length, created: 0, dryRun: req.query.dryRun === 1, errors,
      vehicles: vehicles.map((v) => ({ ...v, driverPhone: showPhone || !v.driverPhone ? v.driverPhone : maskPhone(v.driverPhone) })),
    }
    if (refused(report)) return reply.code(422).send(rejectedRows(report))
    if (!report.dryRun) {
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO vehicles (plate, kind, name, driver_name, driver_phone, village_id, town_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])`,
          [vehicles.map((v) => v.plate), vehicles.map((v) => v.kind), vehicles.map((v) => v.name), vehicles.map((v) => v.driverName),
            vehicles.map((v) => v.driverPhone), vehicles.map((v) => v.villageId), vehicles.map((v) => v.townId)])
      }).catch((err: unknown) => {
        // the same plate registered on the desk between the check and the insert
        if ((err as { code?: string }).code === '23505') throw new HttpError(409, 'a plate of the file was registered meanwhile; run the import again to see which', 'plate_taken')
        throw err
      })
      report.created = vehicles.length
    }
    return report
  })

  app.post<{ Querystring: { dryRun?: number; crs?: 'wgs84' | 'gcj02' } }>('/imports/collection-points', {
    onRequest: async (req) => void requirePermission(req, 'fleet.manage'),
    schema: {
      tags: ['fleet'],
      summary: 'collection points in bulk: CSV or XLSX with 名称,所属村,经度,纬度[,垃圾桶数], each inside a grid of its village; WGS-84 unless ?crs=gcj02; ?dryRun=1 previews; otherwise all rows or none',
      querystring: Query, response: { 200: PointReport, 422: Type.Object({ ...PointReport.properties, ...ERROR_FIELDS }) },
    },
  }, async (req, reply) => {
    const user = requirePermission(req, 'fleet.manage')
    const table = await read(req, user.username)
    const { points, errors } = await checkPointRows(db, user, table, req.query.crs ?? 'wgs84')
    const report = { rows: table.rows.length, created: 0, dryRun: req.query.dryRun === 1, errors, points }
    if (refused(report)) return reply.code(422).send(rejectedRows(report))
    if (!report.dryRun) {
      await db.query(
        `INSERT INTO collection_points (village_id, grid_id, name, bins, geom)
         SELECT village_id, grid_id, name, bins, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
           FROM unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::float8[], $6::float8[]) AS u(village_id, grid_id, name, bins, lon, lat)`,
        [points.map((p) => p.villageId), points.map((p) => p.gridId), points.map((p) => p.name), points.map((p) => p.bins), points.map((p) => p.lon), points.map((p) => p.lat)])
      report.created = points.length
    }
    return report
  })
}
