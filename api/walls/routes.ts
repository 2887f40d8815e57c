import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { HttpError } from '../http/errors.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { displayRoutes } from './display-routes.ts'
import { displaySettings } from './displays.ts'
import { listDisplays, listTours, recordReport, saveTours, type DisplayReport, type Tour } from './repository.ts'

const TOUR_SCOPE_PATTERN = '^(county|town|(town|village|grid|vehicle):[1-9][0-9]{0,8})$'
const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })
const TourStep = Type.Object(
  {
    // what the wall draws today; county and town:ID steps come with the county wall
    scope: Type.String({ pattern: TOUR_SCOPE_PATTERN, maxLength: 24, description: 'county, town (the wall\'s own), town:ID, village:ID, grid:ID or vehicle:ID (a followed truck)' }),
    dwellSeconds: Type.Integer({ minimum: 5, maximum: 3600 }),
  },
  { additionalProperties: false },
)
const TourSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40 }),
    steps: Type.Array(TourStep, { minItems: 1, maxItems: 50 }),
    // the object first, so a bad schedule is reported by its field rather than as "must be null"
    schedule: Type.Union([Type.Object({ nightStart: Clock, nightEnd: Clock, dim: Type.Number({ minimum: 0, maximum: 0.8 }) }, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false },
)
const TourOut = Type.Object({ id: Type.Integer(), name: Type.String(), steps: Type.Array(Type.Object({ scope: Type.String(), dwellSeconds: Type.Integer() })),
  schedule: Type.Union([Type.Null(), Type.Object({ nightStart: Type.String(), nightEnd: Type.String(), dim: Type.Number() })]), updatedBy: Type.String(), updatedAt: Type.String() })
const Num = Type.Union([Type.Null(), Type.Number()])
const DisplayOut = Type.Object({
  displayId: Type.String(), username: Type.String(), firstSeen: Type.String(), lastSeen: Type.String(),
  online: Type.Boolean({ description: 'reported within the last 2.5 minutes' }), stale: Type.Boolean({ description: 'on an older build than the server' }),
  scope: Type.String(), tour: Type.Union([Type.Null(), Type.String()]), version: Type.String(), width: Type.Integer(), height: Type.Integer(),
  fps: Num, heapMb: Num, domNodes: Type.Union([Type.Null(), Type.Integer()]), heapSeries: Type.Array(Type.Number()),
  heapTrendMbPerHour: Type.Union([Type.Null(), Type.Number({ description: 'MB per hour, least squares over the series' })]), reloads: Type.Integer(),
  name: Type.Union([Type.Null(), Type.String()]), tourId: Type.Union([Type.Null(), Type.Integer()]), tourName: Type.Union([Type.Null(), Type.String()]),
})
/** walls one account may run: a township has a few, a county some dozens; past it a bug or a stranger is making them up */
const MAX_WALLS_PER_ACCOUNT = 50

/** Walls left alone: tours (轮播) and each wall's health, reported every minute and listed for the admin. */
export const wallRoutes: FastifyPluginAsync<{ db: Db; version: string; pairRateLimit?: number }> = async (app, { db, version, pairRateLimit }) => {
  await app.register(displayRoutes, { db, pairRateLimit: pairRateLimit ?? 20 })

  app.get('/tours', { schema: { tags: ['walls'], summary: 'the tours walls run (轮播)', response: { 200: Type.Array(TourOut) } } }, async (req) => {
    requirePermission(req, 'walls.tours')
    return listTours(db)
  })

  app.put<{ Body: { tours: Omit<Tour, 'id' | 'updatedBy' | 'updatedAt'>[] } }>(
    '/tours',
    {
      schema: {
        tags: ['walls'], summary: 'replace the tours (admin): each a name, steps (scope and dwell time) and an optional night schedule',
        body: Type.Object({ tours: Type.Array(TourSchema, { maxItems: 50 }) }, { additionalProperties: false }),
        response: { 200: Type.Array(TourOut) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'walls.manage')
      const names = req.body.tours.map((t) => t.name)
      const twin = names.findIndex((n, i) => names.indexOf(n) !== i)
      if (twin >= 0) throw new HttpError(400, `body/tours/${twin}/name is used twice (${names[twin]})`)
      const before = (await listTours(db)).map((t) => t.name)
      const saved = await db.transaction((tx) => saveTours(tx, req.body.tours, user.username))
      const gone = before.filter((n) => !names.includes(n))
      await writeAudit(db, user, originOf(req), {
        action: 'toursSave',
        reason: `${saved.length} tours: ${saved.map((t) => `${t.name} (${t.steps.length} steps)`).join(', ')}${gone.length ? `; removed ${gone.join(', ')}` : ''}`,
      })
      return saved
    },
  )

  app.post<{ Body: DisplayReport }>(
    '/displays/report',
    {
      schema: {
        tags: ['walls'], summary: "a wall's health, every minute: scope, tour, build, screen size, frames per second, JS heap",
        body: Type.Object(
          {
            displayId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }),
            scope: Type.String({ maxLength: 24 }),
            tour: Type.Union([Type.Null(), Type.String({ maxLength: 40 })]),
            version: Type.String({ maxLength: 64 }),
            width: Type.Integer({ minimum: 1, maximum: 40_000 }),
            height: Type.Integer({ minimum: 1, maximum: 40_000 }),
            fps: Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 1000 })]),
            heapMb: Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 100_000 })]),
            domNodes: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 10_000_000 })]),
            reloaded: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            version: Type.String(),
            name: Type.Union([Type.Null(), Type.String()], { description: 'the name the admin gave this wall' }),
            tour: Type.Union([Type.Null(), Type.String()], { description: 'the tour the admin assigned to it' }),
            reload: Type.Boolean({ description: 'the admin asked it to reload (and the socket did not reach it)' }),
          }),
        },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'walls.report')
      const known = await db.query<{ mine: number; me: boolean }>(
        'SELECT count(*)::int AS mine, bool_or(id = $2) AS me FROM displays WHERE username = $1', [user.username, req.body.displayId])
      if (!known.rows[0].me && known.rows[0].mine >= MAX_WALLS_PER_ACCOUNT) throw new HttpError(429, `account ${user.username} reports ${MAX_WALLS_PER_ACCOUNT} walls already`)
      await recordReport(db, req.body, user.username, req.headers['user-agent'] ?? '')
      // the answer carries the server's build, so a wall that missed the socket's word still learns
      // of it, and what the admin set for it (name, tour, a reload asked for)
      return { version, ...(await displaySettings(db, req.body.displayId, req.body.reloaded === true)) }
    },
  )

  app.get('/displays', { schema: { tags: ['walls'], summary: 'the walls: online, on which build, their heap trend (admin)', response: { 200: Type.Array(DisplayOut) } } }, async (req) => {
    requirePermission(req, 'walls.manage')
    return listDisplays(db, version)
  })
}
