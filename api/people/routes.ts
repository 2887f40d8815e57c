import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { residentViewFor } from '../access/resident-view.ts'
import { assertHouseholdInScope, assertResidentInScope } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { getHousehold, getResident } from './repository.ts'
import { AUDIT_KIND_NAMES, listAudit, originOf, writeAudit, type AuditFilter } from '../access/audit.ts'
import { AuditSchema, HouseholdSchema, ResidentSchema } from './schemas.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/** 以户查人: households with their members, residents, and the audit of unmasked lookups. */
export const peopleRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Params: { id: number } }>(
    '/households/:id',
    {
      schema: {
        tags: ['people'], summary: "a household with its members, masked as the caller's role requires (the display role: cards without identifiers or sensitive data)",
        params: Type.Object({ id: Id }),
        response: { 200: HouseholdSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'people.read')
      await assertHouseholdInScope(db, user, req.params.id)
      const household = await getHousehold(db, req.params.id, user, residentViewFor(user, false))
      if (!household) throw notFound(`household ${req.params.id}`)
      return household
    },
  )

  app.get<{ Params: { id: number }; Querystring: { unmask?: number; reason?: string } }>(
    '/residents/:id',
    {
      schema: {
        tags: ['people'],
        summary: 'a resident, masked; ?unmask=1&reason=… for authorised roles, audited',
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          { unmask: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })), reason: Type.Optional(Type.String({ minLength: 4, maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: ResidentSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'people.read')
      await assertResidentInScope(db, user, req.params.id)
      const unmask = req.query.unmask === 1
      if (unmask) {
        requirePermission(req, 'people.unmask')
        if (!req.query.reason?.trim()) throw new HttpError(400, 'querystring/reason is required when unmask=1')
      }
      const resident = await getResident(db, req.params.id, user, residentViewFor(user, unmask))
      if (!resident) throw notFound(`resident ${req.params.id}`)
      if (unmask) {
        await writeAudit(db, user, originOf(req), { action: 'unmask', residentId: resident.id, reason: req.query.reason!.trim() })
      }
      return resident
    },
  )

  app.get<{ Querystring: AuditFilter }>(
    '/audit',
    {
      schema: {
        tags: ['people'], summary: "the audit trail (admin): unmasked lookups, call-backs, exports, identity checks, admins' changes; by resident, account, action or kind",
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
            residentId: Type.Optional(Id),
            username: Type.Optional(Type.String({ maxLength: 64 })),
            action: Type.Optional(Type.String({ maxLength: 64 })),
            kind: Type.Optional(Type.Union(AUDIT_KIND_NAMES.map((k) => Type.Literal(k)))),
          },
          { additionalProperties: false },
        ),
        response: { 200: AuditSchema },
      },
    },
    async (req) => {
      requirePermission(req, 'audit.read')
      return { entries: await listAudit(db, req.query) }
    },
  )
}
