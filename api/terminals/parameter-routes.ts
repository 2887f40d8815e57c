/**
 * The terminal parameters a township changes (report intervals, heartbeat, overspeed limit),
 * read from the terminal (0x8104 → 0x0104) and written to it (0x8103, answered 0x0001), for
 * one truck or the whole fleet. Values are validated before anything is sent.
 */
import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { checkParameters, PARAM_RANGES, type ManagedParameters, type ParamName } from '../gateways/jt808/parameters.ts'
import type { TerminalCommands } from './commands.ts'

const Phone = Type.String({ pattern: '^([0-9]{12}|[0-9]{20})$', description: 'the terminal ID as in the message header' })

const field = (k: ParamName, id: string) =>
  Type.Optional(Type.Integer({ minimum: PARAM_RANGES[k].min, maximum: PARAM_RANGES[k].max, description: `${PARAM_RANGES[k].label}, JT/T 808 parameter ${id}` }))

export const ParametersSchema = Type.Object({
  defaultReportIntervalS: field('defaultReportIntervalS', '0x0029'),
  heartbeatS: field('heartbeatS', '0x0001'),
  maxSpeedKmh: field('maxSpeedKmh', '0x0055'),
  overspeedDurationS: field('overspeedDurationS', '0x0056'),
  sleepReportIntervalS: field('sleepReportIntervalS', '0x0027'),
}, { additionalProperties: false })

/** what the terminal reports may be outside what we let anyone set (0 = not configured) */
const ReadSchema = Type.Object({
  phone: Type.String(),
  parameters: Type.Object({
    defaultReportIntervalS: Type.Optional(Type.Integer()), heartbeatS: Type.Optional(Type.Integer()), maxSpeedKmh: Type.Optional(Type.Integer()),
    overspeedDurationS: Type.Optional(Type.Integer()), sleepReportIntervalS: Type.Optional(Type.Integer()),
  }),
})

export const parameterRoutes: FastifyPluginAsync<{ db: Db; commands: TerminalCommands; commandTimeoutMs: number }> = async (app, { db, commands, commandTimeoutMs }) => {
  const assertTerminal = async (phone: string) => {
    if (!(await db.query('SELECT 1 FROM terminals WHERE phone = $1', [phone])).rows.length) throw notFound(`terminal ${phone}`)
  }
  const nonEmpty = (p: ManagedParameters) => {
    if (!Object.keys(p).length) throw new HttpError(400, 'body must name at least one parameter')
    const bad = checkParameters(p)
    if (bad) throw new HttpError(400, bad)
  }

  app.get<{ Params: { phone: string } }>(
    '/terminals/:phone/parameters',
    { schema: { tags: ['terminals'], summary: 'the parameters a township manages, read from the terminal now (0x8104)', params: Type.Object({ phone: Phone }), response: { 200: ReadSchema } } },
    async (req) => {
      requirePermission(req, 'terminals.parameters')
      await assertTerminal(req.params.phone)
      return { phone: req.params.phone, parameters: await commands.run(req.params.phone, { command: 'getParameters' }, commandTimeoutMs) }
    },
  )

  app.put<{ Params: { phone: string }; Body: ManagedParameters }>(
    '/terminals/:phone/parameters',
    {
      schema: {
        tags: ['terminals'], summary: 'sets parameters on the terminal (0x8103) and answers with what it reads back (0x8104)',
        params: Type.Object({ phone: Phone }), body: ParametersSchema, response: { 200: ReadSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'terminals.parameters')
      nonEmpty(req.body)
      const phone = req.params.phone
      await assertTerminal(phone)
      await commands.run(phone, { command: 'setParameters', parameters: req.body }, commandTimeoutMs)
      req.log.info({ phone, parameters: req.body, by: user.username }, 'terminal parameters set')
      return { phone, parameters: await commands.run(phone, { command: 'getParameters' }, commandTimeoutMs) }
    },
  )

  app.put<{ Body: ManagedParameters }>(
    '/terminals/parameters',
    {
      schema: {
        tags: ['terminals'], summary: 'sets parameters on every bound terminal; answers per terminal (one not connected is listed, not fatal)',
        body: ParametersSchema,
        response: { 200: Type.Object({ results: Type.Array(Type.Object({ phone: Type.String(), ok: Type.Boolean(), message: Type.Optional(Type.String()) })) }) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'terminals.parameters')
      nonEmpty(req.body)
      const phones = (await db.query<{ phone: string }>('SELECT phone FROM terminals ORDER BY vehicle_id')).rows.map((r) => r.phone)
      // a few at a time: each waits for its terminal's answer
      const results: { phone: string; ok: boolean; message?: string }[] = []
      for (let i = 0; i < phones.length; i += 16) {
        results.push(...await Promise.all(phones.slice(i, i + 16).map((phone) =>
          commands.run(phone, { command: 'setParameters', parameters: req.body }, commandTimeoutMs).then(
            () => ({ phone, ok: true }),
            (err: Error) => ({ phone, ok: false, message: err.message })))))
      }
      req.log.info({ parameters: req.body, by: user.username, ok: results.filter((r) => r.ok).length, of: results.length }, 'fleet parameters set')
      return { results }
    },
  )
}
