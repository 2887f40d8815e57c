import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { can, requirePermission } from '../access/policy.ts'
import { assertGridInScope, assertVillageInScope, ownTown } from '../access/scope.ts'
import { listUnplaced } from '../population/placing.ts'
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

  const Unplaced = Type.Object({
    total: Type.Integer(),
    items: Type.Array(Type.Object({
      id: Type.Integer(), code: Type.Union([Type.String(), Type.Null()]), address: Type.String(), villageId: Type.Integer(), villageName: Type.String(),
      gridId: Type.Union([Type.Integer(), Type.Null()]), gridName: Type.Union([Type.String(), Type.Null()]), residents: Type.Integer(),
    })),
  })
  app.get<{ Querystring: { grid?: number; unplaced?: number; village?: number; q?: string; limit: number; offset: number } }>(
    '/households',
    {
      schema: {
        tags: ['geo'],
        summary: "户: one grid's households as points (?grid=), personal fields masked; or ?unplaced=1[&village=][&q=]: the households of your " +
          'scope waiting to be placed (待落图: 户号, masked address, grid if known, members), a page at a time, for those who place them',
        querystring: Type.Object({
          grid: Type.Optional(Id), unplaced: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })), village: Type.Optional(Id),
          q: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        }, { additionalProperties: false }),
        // a page of households waiting, or a grid's points (GeoJSON, shaped by listHouseholds)
        response: { 200: Type.Union([Unplaced, Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown()) })]) },
      },
    },
    async (req) => {
      const { grid, unplaced, village } = req.query
      if (unplaced === 1) {
        const user = requirePermission(req, 'people.write')
        if (village !== undefined) {
          if (user.scope.level === 'grid' && user.scope.villageId !== village) throw new HttpError(403, `village ${village} is outside your scope`)
          if (user.scope.level !== 'grid') await assertVillageInScope(db, user, village)
        }
        return listUnplaced(db, user, { villageId: village, q: req.query.q?.trim() || undefined, limit: req.query.limit, offset: req.query.offset })
      }
      if (grid === undefined) throw new HttpError(400, 'querystring/grid is required (or unplaced=1)')
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
