import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { notFound } from '../http/errors.ts'
import { can, requirePermission } from '../access/policy.ts'
import { assertGridInScope, ownTown } from '../access/scope.ts'
import type { AuthUser } from '../auth/roles.ts'
import type { Queryable } from '../db/types.ts'
import { getTown, listFacilities, listGrids, listHouseholds, listRoads, listVillages, villageExists } from './repository.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

/** The town a user works in: a town account's own, a cadre's or grid worker's village's; null for the county. */
async function homeTown(db: Queryable, user: AuthUser): Promise<number | null> {
  const own = ownTown(user)
  if (own !== null) return own
  if (user.scope.level !== 'village' && user.scope.level !== 'grid') return null
  return (await db.query<{ town_id: number }>('SELECT town_id FROM villages WHERE id = $1', [user.scope.villageId])).rows[0]?.town_id ?? null
}

/**
 * Town, villages, grids, households and roads as GeoJSON. Administrative geography (the
 * outlines, names, counts and masked grid-worker cards) is for every reading role, so a
 * grid worker's map shows her neighbours; household data is scoped.
 */
export const geoRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.addHook('preHandler', async (req) => {
    requirePermission(req, 'geo.read')
  })

  // the caller's own town unless another is asked for: a town's wall opens on its town, a
  // county's on the first (the demo's only) town; the county's towns are GET /api/towns/outlines
  app.get<{ Querystring: { id?: number } }>(
    '/town',
    { schema: { tags: ['geo'], summary: "镇 boundary with its bbox: the caller's town, or ?id=", querystring: Type.Object({ id: Type.Optional(Id) }, { additionalProperties: false }) } },
    async (req) => {
      const id = req.query.id ?? (await homeTown(db, requirePermission(req, 'geo.read')))
      const town = await getTown(db, id)
      if (!town) throw notFound(`town ${id ?? ''}`.trim())
      return town
    },
  )

  app.get<{ Querystring: { town?: number } }>(
    '/villages',
    {
      schema: {
        tags: ['geo'], summary: '村: polygons with grid, household and resident counts; ?town= one town',
        querystring: Type.Object({ town: Type.Optional(Id) }, { additionalProperties: false }),
      },
    },
    async (req) => listVillages(db, req.query.town ?? null),
  )

  app.get<{ Querystring: { village?: number; town?: number } }>(
    '/grids',
    {
      schema: {
        tags: ['geo'],
        summary: '网格: polygons with their grid worker (phone masked), optionally one village or one town',
        querystring: Type.Object({ village: Type.Optional(Id), town: Type.Optional(Id) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const { village, town } = req.query
      if (village !== undefined && !(await villageExists(db, village))) throw notFound(`village ${village}`)
      return listGrids(db, village, town ?? null)
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
