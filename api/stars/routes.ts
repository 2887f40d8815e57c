import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { ANNUAL_REVIEWS, HONOUR_LEVELS, type StarInputs } from '../../geo/stars.ts'
import { listReviews, putReview } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Year = Type.Integer({ minimum: 2000, maximum: 2999 })
const Review = Type.Union(ANNUAL_REVIEWS.map((r) => Type.Literal(r)))
const Honour = Type.Object({ level: Type.Union(HONOUR_LEVELS.map((l) => Type.Literal(l))), name: Type.String({ minLength: 1, maxLength: 60 }) }, { additionalProperties: false })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const VillageReview = Type.Object({
  villageId: Type.Integer(), name: Type.String(),
  review: Nullable(Type.Object({
    annualReview: Review, honours: Type.Array(Honour), tenureYears: Type.Integer(),
    reviewedBy: Nullable(Type.String()), reviewedAt: Nullable(Type.String()),
  })),
  stars: Nullable(Type.Integer()),
  reasons: Type.Array(Type.String()),
})

/** 星级评定: the town reviews each village's party secretary once a year; 党建先锋 shows the stars. */
export const starRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: { year?: number } }>(
    '/star-reviews',
    {
      schema: {
        tags: ['party'], summary: "the villages of the caller's scope with their secretary's review of a year (default: the latest reviewed), the stars it gives and why",
        querystring: Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false }),
        response: { 200: Type.Object({ year: Type.Integer(), years: Type.Array(Type.Integer()), villages: Type.Array(VillageReview) }) },
      },
    },
    async (req) => listReviews(db, requirePermission(req, 'stars.review'), req.query.year),
  )

  app.put<{ Params: { villageId: number; year: number }; Body: StarInputs }>(
    '/star-reviews/:villageId/:year',
    {
      schema: {
        tags: ['party'], summary: "enter or correct a village secretary's review of a year: 考核 result, the year's national and provincial honours, whole years in office",
        params: Type.Object({ villageId: Id, year: Year }),
        body: Type.Object(
          { annualReview: Review, honours: Type.Array(Honour, { maxItems: 10 }), tenureYears: Type.Integer({ minimum: 0, maximum: 60 }) },
          { additionalProperties: false },
        ),
        response: { 200: VillageReview },
      },
    },
    async (req) => putReview(db, requirePermission(req, 'stars.review'), req.params.villageId, req.params.year, req.body),
  )
}
