import type { FastifyPluginAsync } from 'fastify'
import ExcelJS from 'exceljs'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { ageOn } from '../access/resident-view.ts'
import { ageBand, maskIdNumber, maskName, maskPhone } from '../privacy/mask.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { HttpError } from '../http/errors.ts'
import { ledgerRows, listPeriods, setPeriod, type LedgerFilter } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Kind = Type.Union([Type.Literal('key'), Type.Literal('care')])
const Filter = {
  kind: Type.Optional(Kind),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  village: Type.Optional(Id),
  grid: Type.Optional(Id),
  overdue: Type.Optional(Type.Boolean()),
}
type FilterQuery = { kind?: 'key' | 'care'; tag?: string; village?: number; grid?: number; overdue?: boolean }
const toFilter = (q: FilterQuery, limit: number, offset: number): LedgerFilter =>
  ({ kind: q.kind, tag: q.tag, villageId: q.village, gridId: q.grid, overdue: q.overdue, limit, offset })

const Entry = Type.Object({
  residentId: Type.Integer(), householdId: Type.Integer(), gridId: Type.Integer(), gridName: Type.String(), villageId: Type.Integer(), villageName: Type.String(),
  name: Type.String(), idNumber: Type.String(), phone: Type.String(), gender: Type.String(), ageBand: Type.String(),
  kind: Type.String(), tag: Type.String(), periodDays: Type.Integer(), lastFollowUp: Type.Union([Type.String(), Type.Null()]), nextDue: Type.String(), overdue: Type.Boolean(),
})

/** Ledgers (台账): key-group and care-group people with their follow-up duty. */
export const ledgerRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: FilterQuery & { limit: number; offset: number } }>(
    '/ledgers',
    {
      schema: {
        tags: ['ledgers'], summary: 'ledger people in your scope with their last follow-up and when the next is due (masked); overdue=true for those past it',
        querystring: Type.Object(
          { ...Filter, limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), offset: Type.Integer({ minimum: 0, default: 0 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(Entry), total: Type.Integer() }) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'ledgers.read')
      const { rows, total } = await ledgerRows(db, toFilter(req.query, req.query.limit, req.query.offset), user)
      return {
        total,
        entries: rows.map(({ birthDate, ...r }) => ({
          ...r, name: maskName(r.name), idNumber: maskIdNumber(r.idNumber), phone: maskPhone(r.phone), ageBand: ageBand(ageOn(birthDate)),
        })),
      }
    },
  )

  app.get<{ Querystring: FilterQuery & { reason: string } }>(
    '/ledgers/export.xlsx',
    {
      schema: {
        tags: ['ledgers'], summary: 'a ledger as a spreadsheet with names, ID numbers and phones, for a stated reason; audited like an unmask',
        querystring: Type.Object({ ...Filter, reason: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'ledgers.export')
      const { rows } = await ledgerRows(db, toFilter(req.query, 100_000, 0), user)
      if (rows.length === 0) throw new HttpError(404, 'no ledger people match these filters')
      const what = [req.query.tag ?? req.query.kind ?? '全部', req.query.village ? `村${req.query.village}` : '', req.query.grid ? `网格${req.query.grid}` : ''].filter(Boolean).join(' ')
      await writeAudit(db, user, originOf(req), { action: 'ledgerExport', reason: `${req.query.reason.trim()} (${what}, ${rows.length} 人)` })
      const book = new ExcelJS.Workbook()
      const sheet = book.addWorksheet('台账')
      sheet.addRow(['村', '网格', '姓名', '性别', '出生日期', '公民身份号码', '联系电话', '类别', '随访周期(天)', '上次随访', '下次应访', '是否超期'])
      sheet.getRow(1).font = { bold: true }
      const day = (s: string | null) => (s ? new Date(new Date(s).getTime() + 8 * 3_600_000).toISOString().slice(0, 10) : '')
      for (const r of rows) {
        sheet.addRow([r.villageName, r.gridName, r.name, r.gender, r.birthDate, r.idNumber ?? '待登记户口', r.phone ?? '', r.tag, r.periodDays, day(r.lastFollowUp), day(r.nextDue), r.overdue ? '是' : '否'])
      }
      sheet.columns.forEach((c) => (c.width = 14))
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(`台账-${what}.xlsx`)}`)
        .header('Cache-Control', 'no-store')
        .send(Buffer.from(await book.xlsx.writeBuffer()))
    },
  )

  app.get('/ledgers/periods', { schema: { tags: ['ledgers'], summary: 'the follow-up period of each ledger group' } }, async (req) => {
    requirePermission(req, 'ledgers.read')
    return listPeriods(db)
  })

  app.put<{ Params: { kind: 'key' | 'care'; tag: string }; Body: { periodDays: number } }>(
    '/ledgers/periods/:kind/:tag',
    {
      schema: {
        tags: ['ledgers'], summary: 'set how often a ledger group is followed up (admin)',
        params: Type.Object({ kind: Kind, tag: Type.String({ minLength: 1, maxLength: 20 }) }),
        body: Type.Object({ periodDays: Type.Integer({ minimum: 1, maximum: 366 }) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      requirePermission(req, 'ledgers.configure')
      return setPeriod(db, { kind: req.params.kind, tag: req.params.tag, periodDays: req.body.periodDays })
    },
  )
}
