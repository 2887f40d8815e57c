import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requireRole } from '../auth/guard.ts'
import type { Role } from '../auth/roles.ts'
import { createTerminal, deleteTerminal, listTerminals, type NewTerminal } from './repository.ts'

const VIEW_ROLES: readonly Role[] = ['admin', 'dispatcher']
const Phone = Type.String({
  pattern: '^([0-9]{12}|[0-9]{20})$',
  description: "the terminal ID as in the message header: 12 digits (2013) or 20 (2019), leading zeros as sent",
})

const TerminalSchema = Type.Object({
  phone: Type.String(),
  vehicleId: Type.Integer(),
  plate: Type.String(),
  protocol: Type.Literal('jt808'),
  crs: Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')]),
  device: Type.Record(Type.String(), Type.Unknown()),
  registeredAt: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
})

export const terminalRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.post<{ Body: NewTerminal & { protocol: 'jt808'; crs?: NewTerminal['crs'] } }>(
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
            crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')], { description: 'what the terminal sends; the standard says wgs84' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: TerminalSchema },
      },
    },
    async (req, reply) => {
      const user = requireRole(req, ['admin'])
      const t = await createTerminal(db, { phone: req.body.phone, vehicleId: req.body.vehicleId, crs: req.body.crs ?? 'wgs84' }, user.username)
      return reply.code(201).send(t)
    },
  )

  app.get('/terminals', { schema: { tags: ['terminals'], summary: 'bound terminals with their last-seen time', response: { 200: Type.Array(TerminalSchema) } } }, async (req) => {
    requireRole(req, VIEW_ROLES)
    return listTerminals(db)
  })

  app.delete<{ Params: { phone: string } }>(
    '/terminals/:phone',
    { schema: { tags: ['terminals'], summary: 'unbind a terminal; its open gateway session is closed (admin)', params: Type.Object({ phone: Phone }) } },
    async (req, reply) => {
      requireRole(req, ['admin'])
      await deleteTerminal(db, req.params.phone)
      return reply.code(204).send()
    },
  )
}
