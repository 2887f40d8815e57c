import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { originOf } from '../access/audit.ts'
import { writeTag } from './tags.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Tag = Type.String({ minLength: 1, maxLength: 20, description: 'the group as the wall names it: 留守儿童, 社区矫正…' })
const Reason = Type.String({ minLength: 2, maxLength: 200, pattern: '\\S', description: 'why: kept with the history row and the audit row' })
const Result = Type.Object({ residentId: Type.Integer(), kind: Type.Union([Type.Literal('key'), Type.Literal('care')]), tag: Type.String() })

/**
 * 列管 / 撤管: village cadres and grid workers put people of their scope on a key-group or
 * care-group ledger and take them off, with a reason (admin anywhere). Who may keep which kind
 * is in api/access/policy.ts (ledgers.tag, ledgers.tagKey); the rules in ./tags.ts.
 */
export const ledgerTagRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.post<{ Params: { id: number }; Body: { tag: string; reason: string } }>(
    '/residents/:id/tags',
    {
      // roles that keep no ledger are refused before the body is read
      onRequest: async (req) => void requirePermission(req, 'ledgers.tag'),
      schema: {
        tags: ['ledgers'],
        summary: '列管: puts a resident on a key-group or care-group ledger, with a reason (audited, a history row); ' +
          '409 already_tagged when she is on it; 409 tag_follows_item where a data item (低保, 特困供养, 残疾等级, 兵役状况) says otherwise',
        params: Type.Object({ id: Id }),
        body: Type.Object({ tag: Tag, reason: Reason }, { additionalProperties: false }),
        response: { 201: Result },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'ledgers.tag')
      const r = await writeTag(db, user, originOf(req), { residentId: req.params.id, tag: req.body.tag, reason: req.body.reason, on: true, field: 'body/tag' })
      return reply.code(201).send(r)
    },
  )

  app.delete<{ Params: { id: number; tag: string }; Body: { reason: string } }>(
    '/residents/:id/tags/:tag',
    {
      // roles that keep no ledger are refused before the body is read
      onRequest: async (req) => void requirePermission(req, 'ledgers.tag'),
      schema: {
        tags: ['ledgers'],
        summary: '撤管: takes a resident off a ledger, with a reason (audited, a history row); 409 not_tagged when she is not on it; ' +
          '409 tag_follows_item while a data item says the group applies',
        params: Type.Object({ id: Id, tag: Tag }),
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Result },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'ledgers.tag')
      return writeTag(db, user, originOf(req), { residentId: req.params.id, tag: req.params.tag, reason: req.body.reason, on: false, field: 'params/tag' })
    },
  )
}
