import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db, Queryable } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { ERROR_FIELDS, HttpError, problemsRejected } from '../http/errors.ts'
import { parseBoundaryFile, DEFAULT_PARSE_LIMITS } from './parse.ts'
import { importBoundaries } from './import.ts'
import type { BoundaryFormat } from './read.ts'
import { Readable } from 'node:stream'
import { geojsonExport, shapefileExport } from './export.ts'

/** What a boundary file may come as: a zipped Shapefile, GeoJSON, KML or KMZ. */
const FORMATS: Record<string, BoundaryFormat> = {
  'application/zip': 'shapefile',
  'application/x-zip-compressed': 'shapefile',
  'application/geo+json': 'geojson',
  'application/json': 'geojson',
  'application/vnd.google-earth.kml+xml': 'kml',
  'application/vnd.google-earth.kmz': 'kmz',
}
const Point = Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()])
const Problem = Type.Object({
  kind: Type.String(), features: Type.Array(Type.String()), areaM2: Type.Number(), point: Point, geometry: Type.Optional(Type.Unknown()), detail: Type.Optional(Type.String()),
})
const Warning = Type.Object({
  kind: Type.String(), features: Type.Array(Type.String()), areaM2: Type.Optional(Type.Number()), point: Type.Optional(Point), detail: Type.Optional(Type.String()),
})
const Report = Type.Object({
  level: Type.String(), crs: Type.String(), encoding: Type.Union([Type.String(), Type.Null()]), features: Type.Integer(),
  items: Type.Array(Type.Object({
    n: Type.Integer(), name: Type.String(), code: Type.String(), village: Type.Optional(Type.String()), kind: Type.Optional(Type.String()),
    areaM2: Type.Number(), repaired: Type.Optional(Type.Boolean()), id: Type.Optional(Type.Integer()), action: Type.Optional(Type.String()),
  })),
  problems: Type.Array(Problem),
  warnings: Type.Array(Warning),
  retired: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  dryRun: Type.Boolean(),
  applied: Type.Boolean(),
  map: Type.Optional(Type.Object({
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(Type.Object({ type: Type.Literal('Feature'), properties: Type.Object({ n: Type.Integer(), name: Type.String() }), geometry: Type.Unknown() })),
  })),
})

/** The town a file is for: by id or name; on a system of one town, that town when none is named. */
async function townOf(db: Queryable, given: string | undefined): Promise<number> {
  const towns = await db.query<{ id: number; name: string; code: string }>('SELECT id, name, code FROM towns ORDER BY id')
  if (!towns.rows.length) throw new HttpError(400, 'querystring/town: there is no town yet; name the county and its towns first (底数导入)', 'town_missing')
  if (given === undefined || given === '') {
    if (towns.rows.length === 1) return towns.rows[0].id
    throw new HttpError(400, 'querystring/town is required on a county of several towns (its id, name or code)')
  }
  const t = towns.rows.find((x) => String(x.id) === given || x.name === given || x.code === given)
  if (!t) throw new HttpError(400, `querystring/town ${given} is not a town of this county`, 'town_unknown')
  return t.id
}

/** Boundary imports (village boundaries from 自然资源, the township's grids), in a plugin of its own for its 64 MB body parser. */
export const boundaryRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  // every body of this plugin's one route is a file, read in the worker: JSON too (a county's
  // GeoJSON is tens of megabytes, which the server's own JSON parser would parse on this thread)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(Object.keys(FORMATS), { parseAs: 'buffer', bodyLimit: DEFAULT_PARSE_LIMITS.maxBytes }, (_req, body, done) => done(null, body))

  app.post<{
    Querystring: { level: 'village' | 'grid'; town?: string; dryRun?: number; crs?: string; nameField?: string; codeField?: string; villageField?: string; kind?: 'base' | 'exclusive'; snap?: number }
  }>(
    '/imports/boundaries',
    {
      onRequest: async (req) => void requirePermission(req, 'imports.boundaries'),
      schema: {
        tags: ['geography'],
        summary: 'village boundaries or grids from a zipped Shapefile (.shp .shx .dbf .prj, .cpg optional), GeoJSON, KML or KMZ: coordinates from the .prj, ' +
          'the crs member or ?crs=; checked by the 四无 rules; ?dryRun=1 answers without writing; otherwise all or nothing (422 naming each problem)',
        querystring: Type.Object({
          level: Type.Union([Type.Literal('village'), Type.Literal('grid')]),
          town: Type.Optional(Type.String({ maxLength: 64 })),
          dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
          crs: Type.Optional(Type.String({ maxLength: 32 })),
          nameField: Type.Optional(Type.String({ maxLength: 64 })),
          codeField: Type.Optional(Type.String({ maxLength: 64 })),
          villageField: Type.Optional(Type.String({ maxLength: 64 })),
          kind: Type.Optional(Type.Union([Type.Literal('base'), Type.Literal('exclusive')])),
          snap: Type.Optional(Type.Number({ minimum: 0, maximum: 20, description: 'slivers thinner than this many metres are snapped away (2)' })),
        }, { additionalProperties: false }),
        response: { 200: Report, 422: Type.Object({ ...Report.properties, ...ERROR_FIELDS }) },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'imports.boundaries')
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
      const format = FORMATS[type]
      if (!format) throw new HttpError(415, `headers/content-type must be one of ${Object.keys(FORMATS).join(', ')}`)
      const data = req.body as Buffer
      const q = req.query
      const townId = await townOf(db, q.town)
      const gcj02 = q.crs !== undefined && /^gcj/i.test(q.crs.trim())
      const file = await parseBoundaryFile(data, format, user.username, {}, { gcj02 }).catch((err: unknown) => {
        if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 413)) throw new HttpError(err.statusCode, `body ${err.message}`, err.code)
        throw err
      })
      const report = await importBoundaries(db, file, {
        level: q.level, townId, dryRun: q.dryRun === 1, crs: q.crs, nameField: q.nameField, codeField: q.codeField, villageField: q.villageField, kind: q.kind, snapM: q.snap,
      })
      if (report.problems.length && !report.dryRun) {
        return reply.code(422).send(problemsRejected(report))
      }
      return report
    },
  )

  app.get<{ Querystring: { level: 'village' | 'grid'; format: 'geojson' | 'shp'; town?: string } }>(
    '/exports/boundaries',
    {
      schema: {
        tags: ['geography'],
        summary: 'the villages or current grids as GeoJSON or a zipped Shapefile (WGS 84, UTF-8 attributes), for the county\'s GIS',
        querystring: Type.Object({
          level: Type.Union([Type.Literal('village'), Type.Literal('grid')]),
          format: Type.Union([Type.Literal('geojson'), Type.Literal('shp')], { default: 'geojson' }),
          town: Type.Optional(Type.String({ maxLength: 64 })),
        }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      requirePermission(req, 'exports.boundaries')
      const q = req.query
      const townId = q.town ? await townOf(db, q.town) : null
      const name = `${q.level === 'village' ? 'villages' : 'grids'}-${new Date().toISOString().slice(0, 10)}`
      if (q.format === 'shp') {
        const zip = await shapefileExport(db, q.level, townId)
        return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${name}.zip"`).send(zip)
      }
      return reply.header('content-type', 'application/geo+json; charset=utf-8').header('content-disposition', `attachment; filename="${name}.geojson"`)
        .send(Readable.from(geojsonExport(db, q.level, townId)))
    },
  )
}
