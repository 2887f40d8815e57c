import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import { HttpError } from '../http/errors.ts'
import { createDraft, decide, editDraft, listDrafts, NOTICE_CATEGORIES, recordPartyActivity, type DraftInput, type DraftState } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Category = Type.Union(NOTICE_CATEGORIES.map((c) => Type.Literal(c)))
const PhotoIds = Type.Array(Id, { maxItems: 9 })
const Draft = Type.Object({
  id: Type.Integer(), villageId: Type.Integer(), villageName: Type.String(), category: Type.String(), title: Type.String(), body: Type.String(),
  photoIds: Type.Array(Type.Integer()), state: Type.String(), author: Type.String(), createdAt: Type.String(),
  decidedBy: Type.Union([Type.String(), Type.Null()]), decidedAt: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]), noticeId: Type.Union([Type.Integer(), Type.Null()]),
})

/** 三务公开 (drafted by a village cadre, approved by a leader) and the party's activity records. */
export const noticeRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  const mayRead = (req: Parameters<typeof requirePermission>[0]) => {
    const user = requirePermission(req, 'workOrders.read')
    if (!can(user, 'notices.draft') && !can(user, 'notices.approve')) throw new HttpError(403, `role ${user.role} may not read notice drafts`)
    return user
  }

  app.get<{ Querystring: { state?: DraftState } }>(
    '/notices/drafts',
    {
      schema: {
        tags: ['notices'], summary: "notice drafts: a cadre's village's, all for leaders and admin; newest first",
        querystring: Type.Object({ state: Type.Optional(Type.Union(['draft', 'submitted', 'published', 'rejected'].map((s) => Type.Literal(s)))) }, { additionalProperties: false }),
        response: { 200: Type.Array(Draft) },
      },
    },
    async (req) => listDrafts(db, mayRead(req), req.query.state),
  )

  app.post<{ Body: DraftInput }>(
    '/notices/drafts',
    {
      schema: {
        tags: ['notices'], summary: 'a village cadre drafts a 三务公开 notice (党务/村务/财务), photos as attachments',
        body: Type.Object(
          {
            villageId: Type.Optional(Id), category: Category, title: Type.String({ minLength: 4, maxLength: 60 }),
            body: Type.Optional(Type.String({ maxLength: 5000 })), photoIds: Type.Optional(PhotoIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: Draft },
      },
    },
    async (req, reply) => reply.code(201).send(await createDraft(db, req.body, requirePermission(req, 'notices.draft'))),
  )

  app.patch<{ Params: { id: number }; Body: Partial<DraftInput> & { submit?: boolean } }>(
    '/notices/drafts/:id',
    {
      schema: {
        tags: ['notices'], summary: 'edit a draft (or one sent back) and, with submit: true, send it for approval',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            category: Type.Optional(Category), title: Type.Optional(Type.String({ minLength: 4, maxLength: 60 })),
            body: Type.Optional(Type.String({ maxLength: 5000 })), photoIds: Type.Optional(PhotoIds), submit: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Draft },
      },
    },
    async (req) => editDraft(db, req.params.id, req.body, requirePermission(req, 'notices.draft')),
  )

  app.post<{ Params: { id: number }; Body: { approve: boolean; reason?: string } }>(
    '/notices/drafts/:id/decision',
    {
      schema: {
        tags: ['notices'], summary: 'a leader publishes a submitted notice (the wall lists it at once) or sends it back with a reason',
        params: Type.Object({ id: Id }),
        body: Type.Object({ approve: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Draft },
      },
    },
    async (req) => decide(db, req.params.id, req.body, requirePermission(req, 'notices.approve')),
  )

  app.put<{ Params: { villageId: number; month: string; kind: 'activityDay' | 'threeMeetings' }; Body: { expected: number; attended: number } }>(
    '/party-activities/:villageId/:month/:kind',
    {
      schema: {
        tags: ['notices'], summary: "a village's 28日活动日 (activityDay) or 三会一课 (threeMeetings) attendance for a month; feeds 党建先锋",
        params: Type.Object({ villageId: Id, month: Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$' }), kind: Type.Union([Type.Literal('activityDay'), Type.Literal('threeMeetings')]) }),
        body: Type.Object({ expected: Type.Integer({ minimum: 0, maximum: 10_000 }), attended: Type.Integer({ minimum: 0, maximum: 10_000 }) }, { additionalProperties: false }),
      },
    },
    async (req) => recordPartyActivity(db, { ...req.params, ...req.body }, requirePermission(req, 'party.record')),
  )
}
