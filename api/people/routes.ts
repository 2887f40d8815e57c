import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requireRole } from '../auth/guard.ts'
import { READ_ROLES, UNMASK_ROLES } from '../auth/roles.ts'
import { assertHouseholdInScope, assertResidentInScope } from '../auth/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { getHousehold, getResident, listAudit, writeAudit } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/** 以户查人: households with their members, residents, and the audit of unmasked lookups. */
export const peopleRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Params: { id: number } }>(
    '/households/:id',
    {
      schema: {
        tags: ['people'], summary: 'a household with its members (always masked)',
        params: Type.Object({ id: Id }),
      },
    },
    async (req) => {
      const user = requireRole(req, READ_ROLES)
      await assertHouseholdInScope(db, user, req.params.id)
      const household = await getHousehold(db, req.params.id)
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
      },
    },
    async (req) => {
      const user = requireRole(req, READ_ROLES)
      await assertResidentInScope(db, user, req.params.id)
      const unmask = req.query.unmask === 1
      if (unmask) {
        if (!UNMASK_ROLES.includes(user.role)) throw new HttpError(403, `role ${user.role} may not unmask personal data`)
        if (!req.query.reason?.trim()) throw new HttpError(400, 'querystring/reason is required when unmask=1')
      }
      const resident = await getResident(db, req.params.id, unmask)
      if (!resident) throw notFound(`resident ${req.params.id}`)
      if (unmask) {
        await writeAudit(db, {
          userId: user.id, username: user.username, role: user.role, action: 'unmask', residentId: resident.id,
          reason: req.query.reason!.trim(), ip: req.ip, userAgent: req.headers['user-agent'] ?? '',
        })
      }
      return resident
    },
  )

  app.get<{ Querystring: { limit: number; offset: number; residentId?: number; username?: string } }>(
    '/audit',
    {
      schema: {
        tags: ['people'], summary: 'audit trail of unmasked lookups (admin)',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
            residentId: Type.Optional(Id),
            username: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireRole(req, ['admin'])
      return { entries: await listAudit(db, req.query) }
    },
  )
}
