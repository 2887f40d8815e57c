import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import { TILE_LAYERS, type TileLayer } from '../../geo/types.ts'
import { HttpError } from '../http/errors.ts'
import { can, requirePermission } from '../access/policy.ts'
import { isCountyWide } from '../access/scope.ts'
import { MAX_ZOOM } from './layers.ts'
import type { TileService } from './service.ts'

interface TileParams {
  layer: TileLayer
  z: number
  x: number
  y: number
}

export const tileRoutes: FastifyPluginAsync<{ tiles: TileService }> = async (app, { tiles }) => {
  app.get(
    '/tiles/stats',
    {
      schema: {
        tags: ['tiles'],
        summary: 'Tile cache and rendering counters of this API process since it started (admin)',
        response: {
          200: Type.Object({
            cacheEntries: Type.Integer(),
            cacheHits: Type.Integer(),
            sharedRenders: Type.Integer({ description: 'requests served by a render another request had started' }),
            renders: Type.Integer(),
            statements: Type.Union([Type.Integer(), Type.Null()], { description: 'PostgreSQL statements that rendered them (tiles asked for together share one); null on PGlite' }),
          }),
        },
      },
    },
    async (req) => {
      requirePermission(req, 'tiles.stats')
      return tiles.stats()
    },
  )

  app.get<{ Params: TileParams }>(
    '/tiles/:layer/:z/:x/:y.mvt',
    {
      schema: {
        tags: ['tiles'],
        summary: 'Mapbox vector tile of villages, grids or households (EPSG:3857, extent 4096)',
        params: Type.Object({
          layer: Type.Enum([...TILE_LAYERS]),
          z: Type.Integer({ minimum: 0, maximum: MAX_ZOOM }),
          x: Type.Integer({ minimum: 0 }),
          y: Type.Integer({ minimum: 0 }),
        }),
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'tiles.read')
      const { layer, z, x, y } = req.params
      // Household tiles cover the whole county and are cached once for everyone, so they cannot be
      // cut to one town: a town's accounts, like the scoped roles, read their grids' households as GeoJSON.
      if (layer === 'households' && (!can(user, 'tiles.households') || !isCountyWide(user))) throw new HttpError(403, 'household tiles are county-wide; use /api/households?grid=ID within your scope')
      const n = 2 ** z
      if (x >= n) throw new HttpError(400, `params/x must be below ${n} at zoom ${z}`)
      if (y >= n) throw new HttpError(400, `params/y must be below ${n} at zoom ${z}`)
      const tile = await tiles.get(layer, z, x, y)
      reply
        .header('Content-Type', 'application/vnd.mapbox-vector-tile')
        // Short max-age plus ETag: walls revalidate cheaply and see edits within a minute;
        // private, because the tiles are behind a sign-in.
        .header('Cache-Control', 'private, max-age=60')
        .header('ETag', tile.etag)
      if (req.headers['if-none-match'] === tile.etag) return reply.code(304).send()
      return reply.send(tile.body)
    },
  )
}
