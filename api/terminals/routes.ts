import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { createTerminal, deleteTerminal, listTerminals, resetTerminal, updateTerminal, type NewTerminal, type TerminalChange } from './repository.ts'
import { HttpError } from '../http/errors.ts'
import type { Jt808Gateway } from '../gateways/jt808/gateway.ts'

const Phone = Type.String({
  pattern: '^([0-9]{12}|[0-9]{20})$',
  description: "the terminal ID as in the message header: 12 digits (2013) or 20 (2019), leading zeros as sent",
})

const Crs = Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')], { description: 'what the terminal sends; the standard says wgs84' })
// what the installer reads off the unit and the truck; a registration (0x0100) must match it
const TerminalId = Type.String({ pattern: '^[0-9A-Za-z]{1,30}$', description: '终端ID as the unit sends it in 0x0100 (7 characters in 2013, up to 30 in 2019)' })
const MakerId = Type.String({ pattern: '^[0-9A-Za-z]{1,11}$', description: '制造商ID (5 characters in 2013, up to 11 in 2019)' })
const Model = Type.String({ minLength: 1, maxLength: 30, pattern: '^[^\\u0000-\\u001f]+$', description: '终端型号; checked only when given' })
const Plate = Type.String({ minLength: 2, maxLength: 20, pattern: '^[^\\u0000-\\u001f]+$', description: "车牌 the unit is set up with (the VIN for a truck without plates); the vehicle's plate when not given" })

const TerminalSchema = Type.Object({
  phone: Type.String(),
  vehicleId: Type.Integer(),
  plate: Type.String(),
  protocol: Type.Literal('jt808'),
  crs: Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')]),
  expected: Type.Object({
    terminalId: Type.Union([Type.String(), Type.Null()]), makerId: Type.Union([Type.String(), Type.Null()]),
    model: Type.Union([Type.String(), Type.Null()]), plate: Type.Union([Type.String(), Type.Null()]),
  }, { description: 'what a registration must match; a binding made before these were asked has nulls and refuses every registration until completed' }),
  device: Type.Record(Type.String(), Type.Unknown()),
  lastRefusal: Type.Union([
    Type.Object({
      at: Type.String(),
      result: Type.Integer({ description: '0x8100 result: 2 plate does not match, 3 already registered, 4 not the unit bound' }),
      from: Type.String({ description: "the peer's address" }),
      sent: Type.Record(Type.String(), Type.Unknown(), { description: 'what the 0x0100 said' }),
      mismatched: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  registered: Type.Boolean({
    description: 'signed in with the auth code it registered for: a registration of this ID is refused (result 3) until an admin resets it',
  }),
  registeredAt: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
})

export const terminalRoutes: FastifyPluginAsync<{ db: Db; gateway: Jt808Gateway | null }> = async (app, { db, gateway }) => {
  app.post<{ Body: Omit<NewTerminal, 'crs'> & { protocol: 'jt808'; crs?: NewTerminal['crs'] } }>(
    '/terminals',
    {
      schema: {
        tags: ['terminals'],
        summary: 'bind a JT/T 808 terminal to a vehicle (admin)',
        body: Type.Object(
          {
            phone: Phone,
            vehicleId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
            protocol: Type.Literal('jt808'),
            crs: Type.Optional(Crs),
            terminalId: TerminalId,
            makerId: MakerId,
            model: Type.Optional(Model),
            plate: Type.Optional(Plate),
          },
          { additionalProperties: false },
        ),
        response: { 201: TerminalSchema },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'terminals.manage')
      const { phone, vehicleId, crs, terminalId, makerId, model, plate } = req.body
      const t = await createTerminal(db, { phone, vehicleId, crs: crs ?? 'wgs84', terminalId, makerId, model, plate }, user.username)
      return reply.code(201).send(t)
    },
  )

  app.patch<{ Params: { phone: string }; Body: TerminalChange }>(
    '/terminals/:phone',
    {
      schema: {
        tags: ['terminals'],
        summary: 'correct what a registration of this terminal must match (a refused one shows what it sent), or its crs (admin)',
        params: Type.Object({ phone: Phone }),
        body: Type.Object(
          {
            crs: Type.Optional(Crs), terminalId: Type.Optional(TerminalId), makerId: Type.Optional(MakerId),
            model: Type.Optional(Type.Union([Type.Null(), Model], { description: '终端型号; null: not checked' })), plate: Type.Optional(Plate),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TerminalSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'terminals.manage')
      const t = await updateTerminal(db, req.params.phone, req.body)
      req.log.info({ phone: t.phone, by: user.username, fields: Object.keys(req.body) }, 'terminal binding changed')
      return t
    },
  )

  app.get('/terminals', { schema: { tags: ['terminals'], summary: 'bound terminals with their last-seen time', response: { 200: Type.Array(TerminalSchema) } } }, async (req) => {
    requirePermission(req, 'terminals.view')
    return listTerminals(db)
  })

  app.delete<{ Params: { phone: string } }>(
    '/terminals/:phone',
    { schema: { tags: ['terminals'], summary: 'unbind a terminal; its open gateway session is closed (admin)', params: Type.Object({ phone: Phone }) } },
    async (req, reply) => {
      requirePermission(req, 'terminals.manage')
      await deleteTerminal(db, req.params.phone)
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { phone: string } }>(
    '/terminals/:phone/reset',
    {
      schema: {
        tags: ['terminals'],
        summary: 'void a terminal\'s registration so it may register again (replaced unit, lost auth code); its open gateway session is closed (admin)',
        params: Type.Object({ phone: Phone }),
        response: { 200: TerminalSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'terminals.manage')
      const t = await resetTerminal(db, req.params.phone)
      req.log.warn({ phone: t.phone, by: user.username }, 'terminal registration reset')
      return t
    },
  )

  app.post<{ Params: { phone: string } }>(
    '/terminals/:phone/locate',
    {
      schema: {
        tags: ['terminals'],
        summary: 'ask a connected terminal for its position now (0x8201); the answer is stored like any fix',
        params: Type.Object({ phone: Phone }),
        response: {
          200: Type.Object({
            phone: Type.String(), time: Type.Union([Type.String(), Type.Null()]), lon: Type.Number(), lat: Type.Number(),
            speedKmh: Type.Number(), heading: Type.Number(), positioned: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      requirePermission(req, 'terminals.view')
      const phone = req.params.phone
      if (!gateway) throw new HttpError(409, 'the JT/T 808 gateway is off (JT808_PORT is not set)')
      const answer = await gateway.locate(phone)
      // a terminal holds one connection, on one API process: the one it connected to
      if (answer === 'notConnected') throw new HttpError(409, `terminal ${phone} is not connected to this API process`)
      if (answer === null) throw new HttpError(504, `terminal ${phone} did not answer within ${gateway.locateTimeoutMs / 1000} s`)
      return { phone, time: answer.time, lon: answer.lon, lat: answer.lat, speedKmh: answer.speedKmh, heading: answer.direction, positioned: answer.flags.positioned }
    },
  )
}
