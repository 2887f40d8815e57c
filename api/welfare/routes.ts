import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission, type Permission } from '../access/policy.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { HttpError } from '../http/errors.ts'
import { beijingToday } from '../population/dates.ts'
import { WELFARE_CATEGORIES } from '../../geo/welfare.ts'
import { assertWelfareDepartment } from './access.ts'
import { changeFund, listMonth, publish, withdraw } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Month = Type.String({ pattern: '^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' })
const Category = Type.Union(WELFARE_CATEGORIES.map((c) => Type.Literal(c)))
const Reason = Type.String({ minLength: 2, maxLength: 200, pattern: '\\S', description: 'why the figure is corrected (kept in the audit trail)' })
const MaybeStr = Type.Union([Type.String(), Type.Null()])
const VillageMonth = Type.Object({
  villageId: Type.Integer(), villageName: Type.String(), month: Type.String(), totalYuan: Type.Number(), recipients: Type.Integer(),
  publishedAt: MaybeStr, publishedBy: MaybeStr,
  funds: Type.Array(Type.Object({
    category: Type.String(), amountYuan: Type.Number(), recipients: Type.Integer(),
    updatedAt: MaybeStr, updatedBy: MaybeStr, source: MaybeStr,
  })),
})
const Change = Type.Object({ changed: Type.Boolean(), withdrawn: Type.Boolean() })
const Key = Type.Object({ villageId: Id, month: Month, category: Category })
type KeyParams = { villageId: number; month: string; category: string }

const yuan = (f: { amountYuan: number; recipients: number } | null) => (f ? `${f.amountYuan}元/${f.recipients}人` : 'none')

/**
 * 民生资金 on the desk: read a month's figures per village (admin, leaders, 民政局, a cadre her
 * village's), correct one (admin, 民政局; audited with its reason) and publish a village's
 * month to residents (admin, leaders). Imports are in ./import-routes.ts.
 */
export const welfareRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  // who may call is decided before the body is read or checked (403 before any 400), the
  // department too; handlers take the caller from the request again
  const admit = (p: Permission) => async (req: FastifyRequest) => assertWelfareDepartment(db, requirePermission(req, p))

  app.get<{ Querystring: { month?: string; village?: number } }>(
    '/welfare-funds',
    {
      onRequest: admit('welfare.read'),
      schema: {
        tags: ['welfare'], summary: "a month's 民生资金 per village of your scope (the latest month with figures unless ?month=), with each village-month's publication",
        querystring: Type.Object({ month: Type.Optional(Month), village: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ month: MaybeStr, months: Type.Array(Type.String()), villages: Type.Array(VillageMonth) }) },
      },
    },
    async (req) => listMonth(db, requirePermission(req, 'welfare.read'), { month: req.query.month, villageId: req.query.village }),
  )

  const correct = async (req: FastifyRequest<{ Params: KeyParams }>, figure: { amountYuan: number; recipients: number } | null, reason: string) => {
    const user = requirePermission(req, 'welfare.correct')
    const { villageId, month, category } = req.params
    if (figure && month > beijingToday().slice(0, 7)) throw new HttpError(400, `params/month ${month} has not come yet`)
    const r = await changeFund(db, user, { villageId, month, category, figure })
    if (r.changed) {
      await writeAudit(db, user, originOf(req), {
        action: 'welfareFundEdit', reason: `village ${villageId} ${month} ${category}: ${yuan(r.before)} → ${yuan(figure)}${r.withdrawn ? ' (publication withdrawn)' : ''}; ${reason.trim()}`,
      })
    }
    return { changed: r.changed, withdrawn: r.withdrawn }
  }

  app.put<{ Params: KeyParams; Body: { amountYuan: number; recipients: number; reason: string } }>(
    '/welfare-funds/:villageId/:month/:category',
    {
      onRequest: admit('welfare.correct'),
      schema: {
        tags: ['welfare'], summary: 'correct (or add) one figure: a village, month and category; audited with the reason; a change withdraws the village-month\'s publication',
        params: Key,
        body: Type.Object({
          amountYuan: Type.Number({ minimum: 0, maximum: 100_000_000, description: 'yuan, at most 2 decimals' }), recipients: Type.Integer({ minimum: 0, maximum: 1_000_000 }), reason: Reason,
        }, { additionalProperties: false }),
        response: { 200: Change },
      },
    },
    async (req) => {
      const c = req.body.amountYuan * 100
      // not the schema's multipleOf: 41709.95 / 0.01 is no whole number in floating point
      if (Math.abs(c - Math.round(c)) > 1e-6) throw new HttpError(400, 'body/amountYuan has more than 2 decimals')
      return correct(req, { amountYuan: Math.round(c) / 100, recipients: req.body.recipients }, req.body.reason)
    },
  )

  app.delete<{ Params: KeyParams; Body: { reason: string } }>(
    '/welfare-funds/:villageId/:month/:category',
    {
      onRequest: admit('welfare.correct'),
      schema: {
        tags: ['welfare'], summary: 'delete one figure (entered by mistake); audited with the reason; withdraws the village-month\'s publication',
        params: Key, body: Type.Object({ reason: Reason }, { additionalProperties: false }), response: { 200: Change },
      },
    },
    async (req) => correct(req, null, req.body.reason),
  )

  app.post<{ Body: { month: string; villageId?: number } }>(
    '/welfare-funds/publications',
    {
      onRequest: admit('welfare.publish'),
      schema: {
        tags: ['welfare'], summary: "publish a month's payments to residents (三务公开): one village's, or every village of your scope with figures that month",
        body: Type.Object({ month: Month, villageId: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ published: Type.Integer() }) },
      },
    },
    async (req) => ({ published: await publish(db, requirePermission(req, 'welfare.publish'), req.body.month, req.body.villageId) }),
  )

  app.delete<{ Params: { villageId: number; month: string } }>(
    '/welfare-funds/publications/:villageId/:month',
    {
      onRequest: admit('welfare.publish'),
      schema: {
        tags: ['welfare'], summary: "take a village's month back from residents",
        params: Type.Object({ villageId: Id, month: Month }), response: { 200: Type.Object({ withdrawn: Type.Boolean() }) },
      },
    },
    async (req) => ({ withdrawn: await withdraw(db, requirePermission(req, 'welfare.publish'), req.params.month, req.params.villageId) }),
  )
}
