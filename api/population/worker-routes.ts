import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { assertGridInScope } from '../access/scope.ts'
import { ResidentSchema } from '../people/schemas.ts'
import { gridRoster, pendingIdNumbers } from './roster.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/** What the people who keep a grid's register work from: her households by name, and the newborns waiting for an ID number. */
export const populationWorkRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: { grid: number } }>(
    '/households/roster',
    {
      schema: {
        tags: ['population'],
        summary: "户册: a grid worker's own grid's households by house number (the address in full) and head of household (户主, full name), " +
          'with their member counts, placed or waiting (待落图); ID numbers and phones are in no answer of it. 403 for another grid',
        querystring: Type.Object({ grid: Id }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            gridId: Type.Integer(),
            items: Type.Array(Type.Object({
              id: Type.Integer(), address: Type.String(), houseNumber: Type.String(), head: Type.Union([Type.String(), Type.Null()]),
              members: Type.Integer(), placed: Type.Boolean(),
            })),
          }),
        },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'people.roster')
      await assertGridInScope(db, user, req.query.grid)
      return { gridId: req.query.grid, items: await gridRoster(db, req.query.grid) }
    },
  )

  app.get(
    '/residents/pending-id',
    {
      schema: {
        tags: ['population'],
        summary: '待补身份证号: newborns of your scope registered before their 户口 (no ID number yet), masked, oldest birth first (at most 200); ' +
          'complete one with PATCH /api/residents/:id { idNumber }',
        response: { 200: Type.Object({ items: Type.Array(ResidentSchema) }) },
      },
    },
    async (req) => ({ items: await pendingIdNumbers(db, requirePermission(req, 'people.write')) }),
  )
}
