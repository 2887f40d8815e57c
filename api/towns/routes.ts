import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { createTown, listTowns, setCounty, townOutlines, updateTown } from './repository.ts'

// 行政区划代码: a county's 6 digits (371326), a town's 9 (371326100), or the 12 of the statistics' version
const Code = Type.String({ pattern: '^[0-9]{6,12}$', description: '行政区划代码, 6 to 12 digits' })
const Name = Type.String({ minLength: 1, maxLength: 50, pattern: '^\\S(.*\\S)?$', description: 'no leading or trailing spaces' })
const TownRecord = Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() })

const Count = Type.Integer({ minimum: 0 })
const TownOut = Type.Object({
  id: Type.Integer(), code: Type.String(), name: Type.String(),
  // null until the town's villages are imported (its outline is their union)
  bbox: Type.Union([Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]), Type.Null()]),
  label: Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]),
  villages: Count, grids: Count, households: Count, residents: Count,
})
const TownListOut = Type.Object({
  county: Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()]),
  towns: Type.Array(TownOut),
})

/** 县 → 镇: administrative geography, for every role that reads the map (as /api/villages). */
export const townRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get('/towns', { schema: { tags: ['geo'], summary: 'the county and its towns with their villages, grids, households and residents', response: { 200: TownListOut } } }, async (req) => {
    requirePermission(req, 'geo.read')
    return listTowns(db)
  })

  // Going live (底数导入): the county and its towns are named before their boundaries arrive.
  app.put<{ Body: { code: string; name: string } }>(
    '/county',
    {
      // refused before the body is read: the access table's answer, whatever the body
      onRequest: async (req) => void requirePermission(req, 'setup.manage'),
      schema: {
        tags: ['geo'], summary: "set the county's code and name (admin; 底数导入)",
        body: Type.Object({ code: Code, name: Name }, { additionalProperties: false }),
        response: { 200: Type.Object({ code: Type.String(), name: Type.String() }) },
      },
    },
    async (req) => {
      requirePermission(req, 'setup.manage')
      return setCounty(db, req.body)
    },
  )

  app.post<{ Body: { code: string; name: string } }>(
    '/towns',
    {
      onRequest: async (req) => void requirePermission(req, 'setup.manage'),
      schema: {
        tags: ['geo'], summary: 'name a town before its villages are imported; its outline is then their union (admin; 底数导入)',
        body: Type.Object({ code: Code, name: Name }, { additionalProperties: false }),
        response: { 201: TownRecord },
      },
    },
    async (req, reply) => {
      requirePermission(req, 'setup.manage')
      return reply.code(201).send(await createTown(db, req.body))
    },
  )

  app.patch<{ Params: { id: number }; Body: { code?: string; name?: string } }>(
    '/towns/:id',
    {
      onRequest: async (req) => void requirePermission(req, 'setup.manage'),
      schema: {
        tags: ['geo'], summary: "change a town's code or name (admin; 底数导入)",
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        body: Type.Object({ code: Type.Optional(Code), name: Type.Optional(Name) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: TownRecord },
      },
    },
    async (req) => {
      requirePermission(req, 'setup.manage')
      return updateTown(db, req.params.id, req.body)
    },
  )

  // GeoJSON, not schema-checked beyond its shape: outlines carry nothing personal
  app.get('/towns/outlines', { schema: { tags: ['geo'], summary: "the towns' outlines for the county map" } }, async (req) => {
    requirePermission(req, 'geo.read')
    return townOutlines(db)
  })
}
