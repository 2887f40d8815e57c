import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { DEFAULT_IDENTITY_LIMITS, takeAllowance, type Allowance, type IdentityLimits } from '../access/allowance.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { ERROR_FIELDS, HttpError, rejectedRows } from '../http/errors.ts'
import { tableReader, type TableReader } from '../imports/table-reader.ts'
import { fileNameOf } from '../imports/columns.ts'
import { assertWelfareDepartment } from './access.ts'
import { importWelfareFunds, type WelfareImportReport } from './import.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const MAX_FILE_BYTES = 20 * 1024 * 1024
/** a county's payment list for a month (every category) fits; past it, split the file */
const MAX_ROWS = 200_000

const Figure = Type.Object({ amountYuan: Type.Number(), recipients: Type.Integer() })
// the response schema is also the whitelist: sums per village, never a row's person
const Report = Type.Object({
  shape: Type.Union([Type.Literal('village'), Type.Literal('person'), Type.Null()]),
  rows: Type.Integer(), matched: Type.Boolean(), created: Type.Integer(), replaced: Type.Integer(), unchanged: Type.Integer(), withdrawn: Type.Integer(),
  totalYuan: Type.Number(), dryRun: Type.Boolean(), importId: Type.Optional(Type.Integer()), ignoredColumns: Type.Array(Type.String()),
  errors: Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String() })),
  entries: Type.Array(Type.Object({
    villageId: Type.Integer(), villageName: Type.String(), month: Type.String(), category: Type.String(), ...Figure.properties,
    action: Type.Union([Type.Literal('create'), Type.Literal('replace'), Type.Literal('unchanged')]), before: Type.Union([Figure, Type.Null()]), withdraws: Type.Boolean(),
  })),
})

/** What the audit trail says of a payment list's check: the file and the counts, never a row's person. */
const auditReason = (r: WelfareImportReport, file: string) =>
  `${r.dryRun ? 'dry run' : r.errors.length ? 'apply refused' : 'applied'} of payment list "${file}": ${r.rows} rows; ` +
  (r.errors.length ? `${r.errors.length} rows not counted` : `${r.created + r.replaced + r.unchanged} village figures, ${r.totalYuan} yuan`)

/** 民生资金 imports (民政局's account, the admin), in a plugin of its own so its 20 MB parser serves this route only. */
export const welfareImportRoutes: FastifyPluginAsync<{ db: Db; reader?: TableReader; identityLimits?: Partial<IdentityLimits> }> = async (
  app, { db, reader = tableReader, identityLimits },
) => {
  // matching a payment list's ID numbers to residents is a bulk identity check, as a department's data import
  const checks: Allowance = { action: 'welfareImportCheck', limit: { ...DEFAULT_IDENTITY_LIMITS, ...identityLimits }.importChecksPerDay, window: 'beijingDay' }
  const exhausted = () => new HttpError(429, `this account has checked ${checks.limit} files against the register today; the next check waits until tomorrow (Beijing time)`, 'import_check_limit')

  app.addContentTypeParser(['text/csv', XLSX], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))

  app.post<{ Querystring: { dryRun?: number }; Headers: { 'x-file-name'?: string } }>(
    '/imports/welfare-funds',
    {
      // the role and the department are checked before the body is read
      onRequest: async (req) => assertWelfareDepartment(db, requirePermission(req, 'imports.welfareFunds')),
      schema: {
        tags: ['welfare'],
        summary: '民生资金 from 民政\'s spreadsheets: CSV (UTF-8 or GBK) or XLSX, either per village (村,月份,类别,金额,人数) or a payment list ' +
          '(身份证号,类别,金额,月份; summed per village of each person\'s household, matched against the register once per file from a daily ' +
          'allowance, audited; the people are not stored). Each village, month and category in the file replaces the figure held for it and ' +
          'withdraws that village-month\'s publication; ?dryRun=1 previews; otherwise all rows or none (422 names every bad row by line and column)',
        querystring: Type.Object({ dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })) }, { additionalProperties: false }),
        response: { 200: Report, 422: Type.Object({ ...Report.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'imports.welfareFunds')
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
      if (type !== 'text/csv' && type !== XLSX) throw new HttpError(415, `headers/content-type must be text/csv or ${XLSX}`)
      const bytes = req.body as Buffer
      const limits = { maxBytes: MAX_FILE_BYTES, maxRows: MAX_ROWS, maxLines: MAX_ROWS + 10_000, timeoutMs: 60_000 }
      const table = await reader.read(bytes, type === 'text/csv' ? 'csv' : 'xlsx', limits, user.username).catch((err: unknown) => {
        if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`)
        throw err
      })
      const name = fileNameOf(req.headers['x-file-name'])
      // a per-village file names no one: only a payment list's match is counted and audited
      const report = await importWelfareFunds(db, table, user, { dryRun: req.query.dryRun === 1, file: { name, bytes } }, async () => {
        if (!(await takeAllowance(db, user.username, checks))) throw exhausted()
      })
      if (report.matched) await writeAudit(db, user, originOf(req), { action: 'welfareImportCheck', reason: auditReason(report, name) })
      return report.errors.length ? reply.code(422).send(rejectedRows(report)) : report
    },
  )

  app.get<{ Querystring: { limit: number } }>(
    '/imports/welfare-funds',
    {
      onRequest: async (req) => assertWelfareDepartment(db, requirePermission(req, 'imports.welfareFunds')),
      schema: {
        tags: ['welfare'], summary: '民生资金 imports applied: who, when, which file, what it did',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: {
          200: Type.Array(Type.Object({
            id: Type.Integer(), at: Type.String(), actor: Type.String(), fileName: Type.String(), shape: Type.String(), rows: Type.Integer(),
            created: Type.Integer(), replaced: Type.Integer(), unchanged: Type.Integer(), withdrawn: Type.Integer(),
          })),
        },
      },
    },
    async (req) => (await db.query(
      `SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor, file_name AS "fileName", shape, rows, created, replaced, unchanged, withdrawn
         FROM welfare_imports ORDER BY id DESC LIMIT $1`, [req.query.limit])).rows,
  )
}
