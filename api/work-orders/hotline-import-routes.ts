import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { ERROR_FIELDS, HttpError, rejectedRows } from '../http/errors.ts'
import { tableReader, type TableReader } from '../imports/table-reader.ts'
import { importHotline, MAX_ROWS } from './hotline-import.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const MAX_FILE_BYTES = 20 * 1024 * 1024

const Report = Type.Object({
  rows: Type.Integer(),
  imported: Type.Integer(),
  alreadyImported: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), field: Type.String(), reason: Type.String() })),
  dryRun: Type.Optional(Type.Boolean()),
  wouldImport: Type.Optional(Type.Integer()),
  preview: Type.Optional(Type.Array(Type.Object({
    row: Type.Integer(), externalId: Type.String(), time: Type.String(), category: Type.String(), description: Type.String(),
    place: Type.String(), importedBefore: Type.Boolean(),
  }))),
})

/**
 * The 12345 hotline import, in a plugin of its own: the 20 MB parser for CSV and XLSX bodies
 * is added here, so it serves this route only; every other route keeps the server's 1 MB limit
 * and reads no CSV or XLSX body at all.
 */
export const hotlineImportRoutes: FastifyPluginAsync<{ db: Db; reader?: TableReader }> = async (app, { db, reader = tableReader }) => {
  // the limit sits on the parser, not the route, so a JSON body sent here is still held to 1 MB
  app.addContentTypeParser(['text/csv', XLSX], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))
  app.post<{ Querystring: { dryRun?: number } }>(
    '/work-orders/import',
    {
      // the right is checked before the body is read: only the command center may make us read 20 MB
      onRequest: async (req) => void requirePermission(req, 'workOrders.import'),
      schema: {
        tags: ['work orders'],
        summary:
          `12345 hotline orders from a CSV (UTF-8 or GBK) or XLSX export (at most ${MAX_FILE_BYTES / 1024 / 1024} MB and ${MAX_ROWS} rows): ` +
          'all rows or none, with a report of every bad row; ?dryRun=1 checks and previews without writing; ' +
          '413 names the limit a file is over, 429 when other imports are being read',
        querystring: Type.Object({ dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })) }, { additionalProperties: false }),
        response: { 200: Report, 422: Type.Object({ ...Report.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'workOrders.import')
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
      if (type !== 'text/csv' && type !== XLSX) throw new HttpError(415, `headers/content-type must be text/csv or ${XLSX}`)
      const kind = type === 'text/csv' ? 'csv' : 'xlsx'
      // the reader's refusals say what is wrong with the file; the answer says the file is the body
      const table = await reader.read(req.body as Buffer, kind, { maxBytes: MAX_FILE_BYTES, maxRows: MAX_ROWS }, user.username).catch((err: unknown) => {
        if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`)
        throw err
      })
      const report = await importHotline(db, table, user, new Date(), { dryRun: req.query.dryRun === 1 })
      return report.errors.length ? reply.code(422).send(rejectedRows(report)) : report
    },
  )
}
