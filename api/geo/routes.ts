import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { notFound } from '../http/errors.ts'
import { can, requirePermission } from '../access/policy.ts'
import { assertGridInScope } from '../access/scope.ts'
import { getTown, listFacilities, listGrids, listHouseholds, listRoads, listVillages, villageExists } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/**
 * Town, villages, grids, households and roads as GeoJSON. Administrative geography (the
 * outlines, names, counts and masked grid-worker cards) is for every reading role, so a
 * grid worker's map shows her neighbours; household data is scoped.
 */
export const geoRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.addHook('preHandler', async (req) => {
    requirePermission(req, 'geo.read')
  })

  app.get('/town', { schema: { tags: ['geo'], summary: '镇 boundary with its bbox' } }, async () => {
    const town = await getTown(db)
    if (!town) throw notFound('town')
    return town
  })

  app.get('/villages', { schema: { tags: ['geo'], summary: '村: polygons with grid, household and resident counts' } }, async () =>
    listVillages(db),
  )

  app.get<{ Querystring: { village?: number } }>(
    '/grids',
    {
      schema: {
        tags: ['geo'],
        summary: '网格: polygons with their grid worker (phone masked), optionally one village',
        querystring: Type.Object({ village: Type.Optional(Id) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const { village } = req.query
      if (village !== undefined && !(await villageExists(db, village))) throw notFound(`village ${village}`)
      return listGrids(db, village)
    },
  )

  app.get<{ Querystring: { grid: number } }>(
    '/households',
    {
      schema: {
        tags: ['geo'],
        summary: "户: one grid's households as points, personal fields masked",
        querystring: Type.Object({ grid: Id }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const { grid } = req.query
      const user = requirePermission(req, 'people.read')
      await assertGridInScope(db, user, grid)
      return listHouseholds(db, grid, { careGroups: can(user, 'people.careGroups') })
    },
  )

  app.get('/facilities', { schema: { tags: ['geo'], summary: 'collection points, transfer stations and cameras' } }, async () =>
    listFacilities(db),
  )

  app.get('/roads', { schema: { tags: ['geo'], summary: 'roads for the offline basemap' } }, async () => listRoads(db))
}
