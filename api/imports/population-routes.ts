import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { requirePermission } from '../access/policy.ts'
import { assertVillageInScope } from '../access/scope.ts'
import { allowanceLeft, DEFAULT_IDENTITY_LIMITS, takeAllowance, type Allowance, type IdentityLimits } from '../access/allowance.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { ERROR_FIELDS, HttpError, rejectedRows } from '../http/errors.ts'
import { tableReader, type Table, type TableReader } from './table-reader.ts'
import { fileNameOf } from './columns.ts'
import { importHouseholds } from './household-import.ts'
import { importResidents, type ResidentImportReport } from './resident-import.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** a county's 户籍 list in one file: 100,000 people with a few data items is ~10 MB of CSV */
const MAX_FILE_BYTES = 40 * 1024 * 1024
const MAX_ROWS = 200_000

const Errors = Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String() }))
// the response schemas are also whitelists: a preview carries masked addresses, names and numbers
const HouseholdReport = Type.Object({
  rows: Type.Integer(), created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), placed: Type.Integer(), unplaced: Type.Integer(),
  errors: Errors, ignoredColumns: Type.Array(Type.String()), dryRun: Type.Boolean(),
  preview: Type.Array(Type.Object({
    row: Type.Integer(), code: Type.String(), address: Type.String(), village: Type.String(), grid: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(), placed: Type.Boolean(),
  })),
})
const ResidentReport = Type.Object({
  rows: Type.Integer(), checked: Type.Union([Type.Literal('format'), Type.Literal('register')]), created: Type.Integer(), households: Type.Integer(),
  errors: Errors, items: Type.Array(Type.String()), ignoredColumns: Type.Array(Type.String()), dryRun: Type.Boolean(),
  preview: Type.Array(Type.Object({
    row: Type.Integer(), idNumber: Type.String(), name: Type.String(), gender: Type.String(), relation: Type.String(), code: Type.String(), items: Type.Integer(),
  })),
})
const DryRun = Type.Optional(Type.Integer({ minimum: 0, maximum: 1 }))

/**
 * 公安's household (标准地址) and 户籍 spreadsheets, in a plugin of its own so its 40 MB parser
 * serves these routes only. Admin anywhere, a village's cadre for her village (the right is
 * checked before the body is read).
 */
export const populationImportRoutes: FastifyPluginAsync<{ db: Db; reader?: TableReader; identityLimits?: Partial<IdentityLimits> }> = async (
  app, { db, reader = tableReader, identityLimits },
) => {
  // matching a 户籍 list's ID numbers against the register is a bulk identity check: one per file,
  // from the account's daily allowance, as a department's import
  const checks: Allowance = { action: 'residentImportCheck', limit: { ...DEFAULT_IDENTITY_LIMITS, ...identityLimits }.importChecksPerDay, window: 'beijingDay' }
  const exhausted = () => new HttpError(429, `this account has checked ${checks.limit} files against the register today; the next check waits until tomorrow (Beijing time)`, 'import_check_limit')

  app.addContentTypeParser(['text/csv', XLSX], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))

  async function readTable(req: FastifyRequest, user: AuthUser): Promise<Table> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
    if (type !== 'text/csv' && type !== XLSX) throw new HttpError(415, `headers/content-type must be text/csv or ${XLSX}`)
    const limits = { maxBytes: MAX_FILE_BYTES, maxRows: MAX_ROWS, maxLines: MAX_ROWS + 10_000, timeoutMs: 60_000 }
    return reader.read(req.body as Buffer, type === 'text/csv' ? 'csv' : 'xlsx', limits, user.username).catch((err: unknown) => {
      if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`)
      throw err
    })
  }

  app.post<{ Querystring: { dryRun?: number; village?: number; crs?: 'wgs84' | 'gcj02' }; Headers: { 'x-file-name'?: string } }>(
    '/imports/households',
    {
      onRequest: async (req) => void requirePermission(req, 'imports.population'),
      schema: {
        tags: ['population'],
        summary: 'households from 公安\'s 标准地址 list: CSV (UTF-8 or GBK) or XLSX with 户号,地址[,门牌号],经度,纬度[,网格编码][,村]; a household with ' +
          'coordinates goes to the grid that covers it, one without waits to be placed (待落图) in its grid or village; a 户号 registered before is ' +
          'that household (its address follows the file; a household placed already keeps its point); ?dryRun=1 previews; otherwise all rows or ' +
          'none (422 lists every bad row by line and column); ?crs=gcj02 for coordinates from 高德/腾讯 maps; ?village= the village the file is for',
        querystring: Type.Object({
          dryRun: DryRun, village: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
          crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
        }, { additionalProperties: false }),
        response: { 200: HouseholdReport, 422: Type.Object({ ...HouseholdReport.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'imports.population')
      if (req.query.village !== undefined) await assertVillageInScope(db, user, req.query.village)
      const table = await readTable(req, user)
      const report = await importHouseholds(db, table, user, {
        dryRun: req.query.dryRun === 1, villageId: req.query.village, crs: req.query.crs ?? 'wgs84', fileName: fileNameOf(req.headers['x-file-name']),
      })
      return report.errors.length ? reply.code(422).send(rejectedRows(report)) : report
    },
  )

  /** What the audit trail says of a check: the file and the counts, never a row's person. */
  const auditReason = (r: ResidentImportReport, file: string) =>
    `${r.dryRun ? 'dry run' : r.errors.length ? 'apply refused' : 'applied'} of "${file}": ${r.rows} rows; ` +
    (r.errors.length ? `${r.errors.length} rows refused` : `${r.created} people in ${r.households} households`)

  app.post<{ Querystring: { dryRun?: number }; Headers: { 'x-file-name'?: string } }>(
    '/imports/residents',
    {
      onRequest: async (req) => void requirePermission(req, 'imports.population'),
      schema: {
        tags: ['population'],
        summary: 'residents from a 户籍 list: CSV (UTF-8 or GBK) or XLSX with 身份证号,姓名,性别,出生日期,与户主关系,户号[,联系电话][,党员][,any data item by its ' +
          'label]; the file is checked alone first (GB 11643, birth date and sex against the ID number, 户号 of a household in your scope, items by ' +
          'type), then its ID numbers against the register (one check per file from a daily allowance, audited); ?dryRun=1 previews; otherwise ' +
          'all rows or none (422 lists every bad row by line and column); each person is a registration in the history naming the file',
        querystring: Type.Object({ dryRun: DryRun }, { additionalProperties: false }),
        response: { 200: ResidentReport, 422: Type.Object({ ...ResidentReport.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'imports.population')
      // past the day's checks, refused before the file is read
      if (!(await allowanceLeft(db, user.username, checks))) throw exhausted()
      const table = await readTable(req, user)
      const name = fileNameOf(req.headers['x-file-name'])
      const report = await importResidents(db, table, user, { dryRun: req.query.dryRun === 1, fileName: name }, async () => {
        if (!(await takeAllowance(db, user.username, checks))) throw exhausted()
      })
      if (report.checked === 'register') await writeAudit(db, user, originOf(req), { action: 'residentImportCheck', reason: auditReason(report, name) })
      return report.errors.length ? reply.code(422).send(rejectedRows(report)) : report
    },
  )
}
