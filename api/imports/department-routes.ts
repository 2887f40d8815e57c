import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { allowanceLeft, DEFAULT_IDENTITY_LIMITS, takeAllowance, type Allowance, type IdentityLimits } from '../access/allowance.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { ERROR_FIELDS, HttpError, rejectedRows } from '../http/errors.ts'
import { tableReader, type TableReader } from './table-reader.ts'
import { importDepartmentData, type DepartmentImportReport } from './department-data.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const MAX_FILE_BYTES = 20 * 1024 * 1024
/** a county's list (a department's whole roll for one item) fits; past it, split the file */
const MAX_ROWS = 200_000

// the response schema is also the whitelist: a change carries no name and no value the register holds
const Report = Type.Object({
  departmentId: Type.Integer(), rows: Type.Integer(), checked: Type.Union([Type.Literal('format'), Type.Literal('register')]),
  changed: Type.Integer(), unchanged: Type.Integer(), dryRun: Type.Boolean(), importId: Type.Optional(Type.Integer()),
  errors: Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String() })),
  changes: Type.Array(Type.Object({ row: Type.Integer(), idNumber: Type.String(), item: Type.String(), value: Type.Unknown() })),
})

/** What the audit trail says of a check: the file and the counts, never a row's person. */
function auditReason(r: DepartmentImportReport, fileName: string): string {
  const what = r.checked === 'format'
    ? `${r.errors.length} rows with problems of the file, no ID number matched`
    : `${r.changed} to change, ${r.unchanged} unchanged, ${r.errors.length} not applicable`
  return `${r.dryRun ? 'dry run' : 'apply refused'} of "${fileName}" for department ${r.departmentId}: ${r.rows} rows; ${what}`
}

/** Department data imports (部门数据导入), in a plugin of its own so its 20 MB parser serves this route only. */
export const departmentImportRoutes: FastifyPluginAsync<{ db: Db; reader?: TableReader; identityLimits?: Partial<IdentityLimits> }> = async (
  app, { db, reader = tableReader, identityLimits },
) => {
  // a check of ID numbers against the register, per account and Beijing day: a dry run or an apply
  const checks: Allowance = { action: 'departmentImportCheck', limit: { ...DEFAULT_IDENTITY_LIMITS, ...identityLimits }.importChecksPerDay, window: 'beijingDay' }
  const exhausted = () => new HttpError(429, `this account has checked ${checks.limit} files against the register today; the next check waits until tomorrow (Beijing time)`, 'import_check_limit')

  app.addContentTypeParser(['text/csv', XLSX], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))

  app.post<{ Querystring: { dryRun?: number; department?: number }; Headers: { 'x-file-name'?: string } }>(
    '/imports/department-data',
    {
      onRequest: async (req) => void requirePermission(req, 'imports.departmentData'),
      schema: {
        tags: ['population'],
        summary: 'a county department\'s data for its own items: CSV or XLSX with the header 身份证号,数据项,值; the file\'s format is checked ' +
          'first, then a well-formed file is matched against the register (limited per account and day, audited); ?dryRun=1 previews; ' +
          'otherwise all rows in one transaction or none (422 lists every bad row by row and column); the same file again changes nothing',
        querystring: Type.Object(
          { dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })), department: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })) },
          { additionalProperties: false },
        ),
        response: { 200: Report, 422: Type.Object({ ...Report.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'imports.departmentData')
      const own = user.scope.level === 'department' ? user.scope.departmentId : null
      if (own !== null && req.query.department !== undefined && req.query.department !== own) throw new HttpError(403, `querystring/department: you import for department ${own} only`)
      const departmentId = own ?? req.query.department
      if (departmentId === undefined) throw new HttpError(400, 'querystring/department is required (the department whose data this is)')
      if (!(await db.query('SELECT 1 FROM departments WHERE id = $1', [departmentId])).rows.length) throw new HttpError(400, `querystring/department is not a known department (${departmentId})`)
      // past the day's checks, refused before the file is read
      if (!(await allowanceLeft(db, user.username, checks))) throw exhausted()
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
      if (type !== 'text/csv' && type !== XLSX) throw new HttpError(415, `headers/content-type must be text/csv or ${XLSX}`)
      const bytes = req.body as Buffer
      const table = await reader.read(bytes, type === 'text/csv' ? 'csv' : 'xlsx', { maxBytes: MAX_FILE_BYTES, maxRows: MAX_ROWS, maxLines: MAX_ROWS + 10_000 }, user.username).catch((err: unknown) => {
        if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`)
        throw err
      })
      let name = 'upload'
      try {
        name = decodeURIComponent(req.headers['x-file-name'] ?? 'upload').slice(0, 200)
      } catch {
        /* a malformed name is only a label */
      }
      const report = await importDepartmentData(db, table, departmentId, user, { name, bytes }, req.query.dryRun === 1, async () => {
        if (!(await takeAllowance(db, user.username, checks))) throw exhausted()
      })
      // every dry run and every refused apply (an applied import is recorded in department_imports)
      if (report.dryRun || report.errors.length) await writeAudit(db, user, originOf(req), { action: 'departmentImportCheck', reason: auditReason(report, name) })
      return report.errors.length ? reply.code(422).send(rejectedRows(report)) : report
    },
  )

  app.get<{ Querystring: { limit: number } }>(
    '/imports/department-data',
    {
      schema: {
        tags: ['population'], summary: 'department data imports: who, when, which file, what changed',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: {
          200: Type.Array(Type.Object({
            id: Type.Integer(), at: Type.String(), actor: Type.String(), departmentId: Type.Integer(), departmentName: Type.String(),
            fileName: Type.String(), rows: Type.Integer(), changed: Type.Integer(), unchanged: Type.Integer(),
          })),
        },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'imports.departmentData')
      const own = user.scope.level === 'department' ? user.scope.departmentId : null
      const r = await db.query(
        `SELECT i.id, to_char(i.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, i.actor, i.department_id AS "departmentId", d.name AS "departmentName",
                i.file_name AS "fileName", i.rows, i.changed, i.unchanged
           FROM department_imports i JOIN departments d ON d.id = i.department_id
          WHERE ($1::int IS NULL OR i.department_id = $1) ORDER BY i.id DESC LIMIT $2`, [own, req.query.limit])
      return r.rows
    },
  )
}
