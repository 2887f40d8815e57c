import type { FastifyPluginAsync } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import type { AuthUser } from '../auth/roles.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import { HttpError } from '../http/errors.ts'
import { createSession, findLoginCandidate } from '../auth/repository.ts'
import { askReload, createPairing, DISPLAY_COMMANDS_CHANNEL, notifyDisplay, spendPairing, updateDisplay, type DisplayCommand } from './displays.ts'

const DisplayId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })
const WallName = Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' })
const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
/** the room of one wall's sockets (it joins with the id it made), where its commands go */
export const displayRoom = (id: string) => `display:${id}`

/**
 * The admin steers walls from the desk: names them, assigns a tour, makes a display link, asks a
 * wall to reload. Commands travel on PostgreSQL NOTIFY, so whichever API process holds the wall's
 * socket delivers them; the wall's next health report carries them too.
 */
export const displayRoutes: FastifyPluginAsync<{ db: Db; pairRateLimit: number }> = async (app, { db, pairRateLimit }) => {
  await app.register(rateLimit, { global: false })

  const stop = await db.listen(DISPLAY_COMMANDS_CHANNEL, (payload) => {
    try {
      const cmd = JSON.parse(payload) as DisplayCommand
      app.io.local.to(displayRoom(cmd.displayId)).emit('wallCommand', cmd)
    } catch (err) {
      app.log.warn({ err }, 'bad wall command dropped')
    }
  })
  app.addHook('onClose', async () => stop())
  // the admin's routes refuse anyone else before a body is read
  const manage = { onRequest: async (req: Parameters<typeof requirePermission>[0]) => void requirePermission(req, 'walls.manage') }
  // a wall says which it is once its socket is up (again), and hears its commands in its room
  app.io.on('connection', (socket) => {
    socket.on('wall', (msg: unknown, ack?: (a: { ok: boolean }) => void) => {
      const id = (msg as { displayId?: unknown } | null)?.displayId
      const ok = can(socket.data.user as AuthUser, 'walls.report') && typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id)
      if (ok) {
        // one wall per socket: a second hello moves it
        for (const room of socket.rooms) if (room.startsWith('display:')) void socket.leave(room)
        void socket.join(displayRoom(id))
      }
      if (typeof ack === 'function') ack({ ok })
    })
  })

  app.patch<{ Params: { id: string }; Body: { name?: string | null; tourId?: number | null } }>(
    '/displays/:id',
    {
      ...manage,
      schema: {
        tags: ['walls'], summary: "name a wall and assign it a tour (null: none); the wall takes the tour at once (admin)",
        params: Type.Object({ id: DisplayId }),
        body: Type.Object(
          { name: Type.Optional(Type.Union([Type.Null(), WallName])), tourId: Type.Optional(Type.Union([Type.Null(), Id])) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ displayId: Type.String(), name: Type.Union([Type.Null(), Type.String()]), tourId: Type.Union([Type.Null(), Type.Integer()]), tourName: Type.Union([Type.Null(), Type.String()]) }) },
      },
    },
    async (req) => {
      const admin = requirePermission(req, 'walls.manage')
      const name = req.body.name === undefined ? undefined : req.body.name === null ? null : req.body.name.trim()
      const set = await updateDisplay(db, req.params.id, { name, tourId: req.body.tourId })
      if (req.body.tourId !== undefined) await notifyDisplay(db, { displayId: req.params.id, tour: set.tourName })
      await writeAudit(db, admin, originOf(req), {
        action: 'wallUpdate',
        reason: `${set.name ?? req.params.id}: ${[name !== undefined ? `name ${name ?? '—'}` : '', req.body.tourId !== undefined ? `tour ${set.tourName ?? '—'}` : ''].filter(Boolean).join(', ')}`,
      })
      return { displayId: req.params.id, ...set }
    },
  )

  app.post<{ Params: { id: string } }>(
    '/displays/:id/reload',
    {
      ...manage,
      schema: {
        tags: ['walls'], summary: 'ask a wall to reload itself now (over its socket; else with its next report) (admin)',
        params: Type.Object({ id: DisplayId }),
        response: { 202: Type.Object({ displayId: Type.String() }) },
      },
    },
    async (req, reply) => {
      const admin = requirePermission(req, 'walls.manage')
      const wall = await askReload(db, req.params.id)
      await notifyDisplay(db, { displayId: req.params.id, reload: true })
      await writeAudit(db, admin, originOf(req), { action: 'wallReload', reason: `${wall.name ?? req.params.id}` })
      return reply.code(202).send({ displayId: req.params.id })
    },
  )

  app.post<{ Body: { userId: number; name?: string; tourId?: number } }>(
    '/displays/pairings',
    {
      ...manage,
      schema: {
        tags: ['walls'],
        summary: "大屏链接: a one-time code for a display account, for a link's #fragment (the wall exchanges it for a session; spent by its first use, dead after 24 h) (admin)",
        body: Type.Object({ userId: Id, name: Type.Optional(WallName), tourId: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 201: Type.Object({ code: Type.String(), expiresAt: Type.String(), username: Type.String() }) },
      },
    },
    async (req, reply) => {
      const admin = requirePermission(req, 'walls.manage')
      const made = await createPairing(db, { userId: req.body.userId, name: req.body.name?.trim() ?? null, tourId: req.body.tourId ?? null, by: admin.username })
      await writeAudit(db, admin, originOf(req), { action: 'wallLink', reason: `a display link for ${made.username}${req.body.name ? ` (${req.body.name.trim()})` : ''}, until ${made.expiresAt}` })
      return reply.code(201).send(made)
    },
  )

  app.post<{ Body: { code: string; displayId: string } }>(
    '/displays/pair',
    {
      config: { public: true, rateLimit: { max: pairRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['walls'],
        summary: "a wall opened with a display link (#pair=…) exchanges the link's code, once, for the display account's session; 401 for a code unknown, spent or expired",
        body: Type.Object({ code: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }), displayId: DisplayId }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            token: Type.String(), expiresAt: Type.String(),
            user: Type.Object({
              id: Type.Integer(), username: Type.String(), displayName: Type.String(), role: Type.String(),
              villageId: Type.Null(), gridId: Type.Null(), departmentId: Type.Null(),
              scope: Type.Object({ level: Type.String(), townId: Type.Optional(Type.Integer()) }),
            }),
            name: Type.Union([Type.Null(), Type.String()]),
          }),
        },
      },
    },
    async (req) => {
      const spent = await db.transaction((tx) => spendPairing(tx, req.body.code, req.body.displayId))
      if (!spent) throw new HttpError(401, 'this display link is unknown, used already or expired; make a new one on the desk', 'pairing_invalid')
      const found = (await findLoginCandidate(db, spent.username))!
      const session = await createSession(db, found.user)
      const u = found.user
      // the trail names the admin who made the link: the wall itself is no person
      await writeAudit(db, u, originOf(req), { action: 'wallPaired', reason: `${spent.name ?? req.body.displayId} signed in by a link from ${spent.createdBy}` })
      req.log.info({ user: u.username, display: req.body.displayId }, 'wall paired')
      return {
        ...session, name: spent.name,
        user: { id: u.id, username: u.username, displayName: u.displayName, role: u.role, villageId: null, gridId: null, departmentId: null, scope: u.scope },
      }
    },
  )
}
