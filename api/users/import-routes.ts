import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { ERROR_FIELDS, HttpError, rejectedRows } from '../http/errors.ts'
import { tableReader, type TableReader } from '../imports/table-reader.ts'
import { importUsers } from './import.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const MAX_FILE_BYTES = 5 * 1024 * 1024
/** a county's grid workers, cadres and command centers (1,271 grids is the largest seed township) fit with room */
const MAX_ROWS = 5_000

const Account = Type.Object({
  row: Type.Integer(), username: Type.String(), displayName: Type.String(), role: Type.String(), scope: Type.String(),
  password: Type.Optional(Type.String()),
})
// the response schema is also the whitelist: the passwords and their sheet, nothing of the rows' hashes
const Report = Type.Object({
  rows: Type.Integer(), created: Type.Integer(), dryRun: Type.Boolean(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), reason: Type.String() })),
  accounts: Type.Array(Account),
  sheet: Type.Optional(Type.String({ description: 'the accounts with their one-time passwords as an XLSX workbook, base64' })),
})

/** 账号批量导入 (admin), in a plugin of its own so its file parser serves this route only. */
export const userImportRoutes: FastifyPluginAsync<{ db: Db; reader?: TableReader }> = async (app, { db, reader = tableReader }) => {
  app.addContentTypeParser(['text/csv', XLSX], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))

  app.post<{ Querystring: { dryRun?: number }; Headers: { 'x-file-name'?: string } }>(
    '/imports/users',
    {
      onRequest: async (req) => void requirePermission(req, 'setup.manage'),
      schema: {
        tags: ['users'],
        summary: 'accounts in bulk (admin): CSV or XLSX with the header 账号,姓名,角色,村或网格编码,手机; ?dryRun=1 previews; otherwise all rows ' +
          'or none (422 names every bad row by line and column), each new account with a one-time password shown once in the answer and as an XLSX sheet',
        querystring: Type.Object({ dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })) }, { additionalProperties: false }),
        response: { 200: Report, 422: Type.Object({ ...Report.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'setup.manage')
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
      if (type !== 'text/csv' && type !== XLSX) throw new HttpError(415, `headers/content-type must be text/csv or ${XLSX}`)
      const table = await reader.read(req.body as Buffer, type === 'text/csv' ? 'csv' : 'xlsx', { maxBytes: MAX_FILE_BYTES, maxRows: MAX_ROWS }, user.username).catch((err: unknown) => {
        if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`)
        throw err
      })
      const report = await importUsers(db, table, req.query.dryRun === 1)
      if (report.errors.length) return reply.code(422).send(rejectedRows(report))
      if (!report.dryRun) {
        let name = 'upload'
        try {
          name = decodeURIComponent(req.headers['x-file-name'] ?? 'upload').slice(0, 200)
        } catch {
          /* a malformed name is only a label */
        }
        await writeAudit(db, user, originOf(req), { action: 'importUsers', reason: `${report.created} accounts from "${name}": ${report.accounts.map((a) => a.username).join(', ')}` })
      }
      // one-time passwords: no cache, no proxy, keeps a copy
      return reply.header('Cache-Control', 'no-store').send(report)
    },
  )
}
