import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { setupChecklist } from './checklist.ts'

const Step = Type.Object({
  key: Type.String(), label: Type.String(),
  state: Type.Union([Type.Literal('todo'), Type.Literal('partial'), Type.Literal('done')]),
  counts: Type.Record(Type.String(), Type.Integer()),
  view: Type.String(),
  optional: Type.Boolean({ description: 'a township without it still goes live' }),
})

/** 底数导入: the admin's checklist of a township going live. */
export const setupRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/setup',
    {
      schema: {
        tags: ['setup'],
        summary: 'the go-live checklist (admin): county and towns → village boundaries → grids → households → residents → accounts (then the optional trucks and collection points), each with its state and counts and the desk view that does it',
        response: { 200: Type.Object({ steps: Type.Array(Step), empty: Type.Boolean() }) },
      },
    },
    async (req) => {
      requirePermission(req, 'setup.manage')
      return setupChecklist(db)
    },
  )
}
