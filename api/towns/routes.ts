import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { listTowns, townOutlines } from './repository.ts'

const Count = Type.Integer({ minimum: 0 })
const TownOut = Type.Object({
  id: Type.Integer(), code: Type.String(), name: Type.String(),
  bbox: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
  label: Type.Tuple([Type.Number(), Type.Number()]),
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

  // GeoJSON, not schema-checked beyond its shape: outlines carry nothing personal
  app.get('/towns/outlines', { schema: { tags: ['geo'], summary: "the towns' outlines for the county map" } }, async (req) => {
    requirePermission(req, 'geo.read')
    return townOutlines(db)
  })
}
