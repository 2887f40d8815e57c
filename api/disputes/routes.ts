import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { assertGridInScope, assertVillageInScope } from '../access/scope.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { HttpError } from '../http/errors.ts'
import { DateStr } from '../http/dates.ts'
import { getDispute, listDisputes, type DisputeFilter } from './read.ts'
import { createDispute, stepDispute, type DisputeStep, type NewDispute } from './write.ts'
import { ClientKey, DisputeListSchema, DisputeSchema, DisputeType, Id, Outcome, PartyInput, Stage } from './schemas.ts'

/** 矛盾纠纷排查化解: register a dispute, mediate it stage by stage, close it; lists and one dispute with its history. */
export const disputeRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: DisputeFilter }>(
    '/disputes',
    {
      schema: {
        tags: ['disputes'],
        summary: "disputes in the caller's scope, newest first (keyset paging: before=<the answer's next>), parties masked; counts per stage for the same filters",
        querystring: Type.Object(
          {
            village: Type.Optional(Id), grid: Type.Optional(Id), stage: Type.Optional(Stage), open: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
            outcome: Type.Optional(Outcome), type: Type.Optional(DisputeType), q: Type.Optional(Type.String({ maxLength: 50 })),
            from: Type.Optional(DateStr()), to: Type.Optional(DateStr()), before: Type.Optional(Id),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: DisputeListSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'disputes.read')
      // a filter outside the caller's scope is refused, never answered with an empty list
      if (req.query.village !== undefined) await assertVillageInScope(db, user, req.query.village)
      if (req.query.grid !== undefined) await assertGridInScope(db, user, req.query.grid)
      return listDisputes(db, user, req.query)
    },
  )

  app.get<{ Params: { id: number }; Querystring: { unmask?: number; reason?: string } }>(
    '/disputes/:id',
    {
      schema: {
        tags: ['disputes'],
        summary: 'one dispute with its history and `actions` (the stages the caller may move it to now); parties masked, ?unmask=1&reason=… for mediators, audited',
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          { unmask: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })), reason: Type.Optional(Type.String({ minLength: 4, maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: DisputeSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'disputes.read')
      const unmask = req.query.unmask === 1
      if (unmask) {
        requirePermission(req, 'disputes.unmask')
        if (!req.query.reason?.trim()) throw new HttpError(400, 'querystring/reason is required when unmask=1')
      }
      const dispute = await getDispute(db, req.params.id, user, { unmask })
      if (unmask) await writeAudit(db, user, originOf(req), { action: 'disputeParties', disputeId: dispute.id, reason: req.query.reason!.trim() })
      return dispute
    },
  )

  app.post<{ Body: NewDispute }>(
    '/disputes',
    {
      // the right before the body is read: a wall or a department is refused whatever it sends
      onRequest: async (req) => void requirePermission(req, 'disputes.record'),
      schema: {
        tags: ['disputes'],
        summary: '受理: register a dispute in a grid of the caller\'s scope; 201 {id}, or 200 with the same id when clientKey was sent before',
        body: Type.Object(
          {
            gridId: Id, type: DisputeType, summary: Type.String({ minLength: 2, maxLength: 2000 }),
            parties: Type.Optional(Type.Array(PartyInput, { maxItems: 10 })),
            sourceOrderId: Type.Optional(Id), clientKey: Type.Optional(ClientKey),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ id: Type.Integer() }), 201: Type.Object({ id: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      const { id, created } = await createDispute(db, req.body, requirePermission(req, 'disputes.record'))
      return reply.code(created ? 201 : 200).send({ id })
    },
  )

  app.patch<{ Params: { id: number }; Body: DisputeStep }>(
    '/disputes/:id',
    {
      onRequest: async (req) => void requirePermission(req, 'disputes.mediate'),
      schema: {
        tags: ['disputes'],
        summary: 'one step: to the same stage (a progress note), the next (微调解 → 中协商 → 大评议), or closed with an outcome; 409 dispute_closed / stage_not_allowed, 403 outside the scope or beyond a grid worker\'s 微调解',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            stage: Stage,
            mediator: Type.Optional(Type.String({ maxLength: 30 })),
            outcome: Type.Optional(Outcome),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            type: Type.Optional(DisputeType),
            referToOrderId: Type.Optional(Id),
            referToNewOrder: Type.Optional(Type.Boolean()),
            referToDepartmentId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 200: DisputeSchema },
      },
    },
    async (req) => stepDispute(db, req.params.id, req.body, requirePermission(req, 'disputes.mediate')),
  )
}
