/**
 * A truck's terminal as a dispatcher uses it: 拍照 (a camera snapshot, 0x8801), the photos it
 * took, and 加密跟踪 (report often for a while, 0x8202). Commands reach the truck on whichever
 * API process holds its connection (terminals/commands.ts).
 */
import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { ownVillage } from '../access/scope.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { TerminalCommands } from '../terminals/commands.ts'
import { listVehicleMedia } from './media.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })

export const VehicleMediaSchema = Type.Object({
  id: Type.Integer(),
  vehicleId: Type.Integer(),
  photoId: Type.Integer(),
  url: Type.String(),
  thumbUrl: Type.String(),
  channel: Type.Integer(),
  event: Type.Integer({ description: 'JT/T 808 event code: 0 a platform command (拍照), 1 timed, 2 robbery (emergency) alarm, 3 collision …' }),
  takenAt: Type.Union([Type.String(), Type.Null()], { description: "the terminal's fix time when it took the photo" }),
  lon: Type.Union([Type.Number(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
  alertId: Type.Union([Type.Integer(), Type.Null()], { description: 'the alert an alarm-triggered upload came with' }),
  createdAt: Type.String(),
})

export interface FleetRouteOptions {
  db: Db
  commands: TerminalCommands
  /** how long 拍照 waits for the photo to be stored */
  snapshotTimeoutMs: number
  /** how long a tracking command waits for the terminal's answer */
  commandTimeoutMs: number
}

export const fleetRoutes: FastifyPluginAsync<FleetRouteOptions> = async (app, { db, commands, snapshotTimeoutMs, commandTimeoutMs }) => {
  /** the truck's terminal; 404 for an unknown truck, 403 outside the caller's village, 409 without a terminal */
  const terminalOf = async (user: AuthUser, vehicleId: number, needTerminal: boolean): Promise<string> => {
    const r = await db.query<{ phone: string | null; village_id: number | null }>(
      `SELECT (SELECT phone FROM terminals WHERE vehicle_id = v.id) AS phone, l.village_id
         FROM vehicles v LEFT JOIN vehicle_latest l ON l.vehicle_id = v.id WHERE v.id = $1`, [vehicleId])
    if (!r.rows.length) throw notFound(`vehicle ${vehicleId}`)
    const village = ownVillage(user)
    if (village !== null && r.rows[0].village_id !== village) throw new HttpError(403, `vehicle ${vehicleId} is outside your scope`)
    const phone = r.rows[0].phone
    if (needTerminal && !phone) throw new HttpError(409, `vehicle ${vehicleId} has no JT/T 808 terminal bound`)
    return phone ?? ''
  }

  app.post<{ Params: { id: number }; Body: { channel?: number } }>(
    '/vehicles/:id/snapshot',
    {
      schema: {
        tags: ['vehicles'],
        summary: "拍照: the truck's camera takes one photo now (0x8801) and uploads it; answers when it is stored, or 504 when the terminal does not answer in time",
        params: Type.Object({ id: Id }),
        body: Type.Object({ channel: Type.Optional(Type.Integer({ minimum: 1, maximum: 255, description: 'camera channel, 1 by default' })) }, { additionalProperties: false }),
        response: { 201: VehicleMediaSchema },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'vehicles.snapshot')
      const phone = await terminalOf(user, req.params.id, true)
      const media = await commands.run(phone, { command: 'snapshot', channel: req.body?.channel ?? 1 }, snapshotTimeoutMs)
      return reply.code(201).send(media)
    },
  )

  app.get<{ Params: { id: number }; Querystring: { limit: number } }>(
    '/vehicles/:id/media',
    {
      schema: {
        tags: ['vehicles'],
        summary: "photos the truck's cameras took, newest first, with time, position and channel",
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }) }),
        response: { 200: Type.Array(VehicleMediaSchema) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'vehicles.read')
      await terminalOf(user, req.params.id, false)
      return listVehicleMedia(db, req.params.id, req.query.limit)
    },
  )

  app.post<{ Params: { id: number }; Body: { intervalS: number; minutes: number } }>(
    '/vehicles/:id/tracking',
    {
      schema: {
        tags: ['vehicles'],
        summary: '加密跟踪: the truck reports every intervalS seconds for the next minutes (0x8202); intervalS 0 stops it',
        params: Type.Object({ id: Id }),
        body: Type.Object({
          intervalS: Type.Integer({ minimum: 0, maximum: 3600, description: 'seconds between reports; 0 ends tracking' }),
          minutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ vehicleId: Type.Integer(), phone: Type.String(), intervalS: Type.Integer(), until: Type.String() }) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'vehicles.track')
      const phone = await terminalOf(user, req.params.id, true)
      const { intervalS, minutes } = req.body
      await commands.run(phone, { command: 'track', intervalS, validityS: intervalS === 0 ? 0 : minutes * 60 }, commandTimeoutMs)
      req.log.info({ vehicleId: req.params.id, phone, intervalS, minutes, by: user.username }, 'temporary tracking sent')
      return { vehicleId: req.params.id, phone, intervalS, until: new Date(Date.now() + (intervalS === 0 ? 0 : minutes * 60_000)).toISOString() }
    },
  )
}
