/**
 * Commands for a terminal, whichever API process holds its connection. Run here when the
 * terminal is connected here; otherwise sent on the terminals NOTIFY channel (as unbind and
 * reset travel), where the process that holds it claims the command at once and answers on
 * ANSWERS_CHANNEL when the terminal has answered. No claim within CLAIM_MS: not connected.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/types.ts'
import type { VehicleMedia } from '../../geo/vehicles.ts'
import { HttpError } from '../http/errors.ts'
import type { Jt808Gateway } from '../gateways/jt808/gateway.ts'
import { TerminalCommandError } from '../gateways/jt808/fleet-link.ts'
import type { ManagedParameters } from '../gateways/jt808/parameters.ts'
import { TERMINALS_CHANNEL } from './repository.ts'

export const ANSWERS_CHANNEL = 'terminal_answers'
const CLAIM_MS = 2000

export type TerminalCommand =
  | { command: 'snapshot'; channel: number }
  | { command: 'getParameters' }
  | { command: 'setParameters'; parameters: ManagedParameters }
  | { command: 'track'; intervalS: number; validityS: number }
  | { command: 'confirmAlarm'; alarmSerial: number; types: number }

type Result<C extends TerminalCommand> = C extends { command: 'snapshot' } ? VehicleMedia
  : C extends { command: 'getParameters' } ? ManagedParameters : null

interface Envelope { phone: string; requestId?: string; timeoutMs?: number }
interface Answer { requestId: string; claimed?: true; ok?: boolean; result?: unknown; status?: number; message?: string }

export interface TerminalCommands {
  run<C extends TerminalCommand>(phone: string, cmd: C, timeoutMs: number): Promise<Result<C>>
  close(): Promise<void>
}

/** Runs a command on a connection of this process; null when the terminal is not connected here. */
async function runHere(gateway: Jt808Gateway | null, phone: string, cmd: TerminalCommand, timeoutMs: number): Promise<{ result: unknown } | null> {
  const session = gateway?.session(phone)
  if (!session) return null
  const link = session.fleet()
  switch (cmd.command) {
    case 'snapshot': return { result: await link.snapshot(cmd.channel, timeoutMs) }
    case 'getParameters': return { result: await link.parameters(timeoutMs) }
    case 'setParameters': return { result: (await link.setParameters(cmd.parameters, timeoutMs), null) }
    case 'track': return { result: (await link.track({ intervalS: cmd.intervalS, validityS: cmd.validityS }, timeoutMs), null) }
    case 'confirmAlarm': return { result: (link.confirmAlarm({ alarmSerial: cmd.alarmSerial, types: cmd.types }), null) }
  }
}

const asHttp = (phone: string, err: unknown) =>
  err instanceof TerminalCommandError ? new HttpError(err.status, `terminal ${phone}: ${err.message}`) : err

export async function startTerminalCommands(db: Db, gateway: Jt808Gateway | null, log: FastifyBaseLogger): Promise<TerminalCommands> {
  const waiting = new Map<string, { claimed: () => void; done: (a: Answer) => void }>()
  const answer = (a: Answer) => db.query(`SELECT pg_notify('${ANSWERS_CHANNEL}', $1)`, [JSON.stringify(a)]).catch((err) => log.warn({ err }, 'terminal answer not sent'))

  const stopAnswers = await db.listen(ANSWERS_CHANNEL, (payload) => {
    let a: Answer
    try { a = JSON.parse(payload) as Answer } catch { return }
    const w = waiting.get(a.requestId)
    if (!w) return
    if (a.claimed) w.claimed()
    else w.done(a)
  })
  // commands other processes sent for the terminals connected here
  const stopCommands = await db.listen(TERMINALS_CHANNEL, (payload) => {
    if (!payload.startsWith('{')) return
    let cmd: TerminalCommand & Envelope
    try { cmd = JSON.parse(payload) as TerminalCommand & Envelope } catch { return }
    if (!gateway?.session(cmd.phone)) return
    const requestId = cmd.requestId
    if (requestId) void answer({ requestId, claimed: true })
    void runHere(gateway, cmd.phone, cmd, cmd.timeoutMs ?? 10_000).then(
      (r) => { if (requestId) void answer({ requestId, ok: true, result: r?.result ?? null }) },
      (err) => { if (requestId) void answer({
        requestId, ok: false, status: err instanceof TerminalCommandError ? err.status : 500,
        message: err instanceof TerminalCommandError ? err.message : 'the command failed on the process holding the terminal',
      }) },
    )
  })

  async function runElsewhere(phone: string, cmd: TerminalCommand, timeoutMs: number): Promise<unknown> {
    const requestId = randomUUID()
    let claim!: () => void
    let done!: (a: Answer) => void
    const claimed = new Promise<void>((r) => (claim = r))
    const answered = new Promise<Answer>((r) => (done = r))
    waiting.set(requestId, { claimed: claim, done })
    try {
      await db.query(`SELECT pg_notify('${TERMINALS_CHANNEL}', $1)`, [JSON.stringify({ ...cmd, phone, requestId, timeoutMs })])
      const timeout = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms).unref())
      if ((await Promise.race([claimed.then(() => true), answered.then(() => true), timeout(CLAIM_MS, false)])) === false) {
        throw new HttpError(409, `terminal ${phone} is not connected`)
      }
      const a = await Promise.race([answered, timeout(timeoutMs + CLAIM_MS, null)])
      if (!a) throw new HttpError(504, `terminal ${phone} did not answer within ${timeoutMs / 1000} s`)
      if (!a.ok) throw new HttpError(a.status ?? 500, `terminal ${phone}: ${a.message ?? 'failed'}`)
      return a.result
    } finally {
      waiting.delete(requestId)
    }
  }

  return {
    async run(phone, cmd, timeoutMs) {
      try {
        const here = await runHere(gateway, phone, cmd, timeoutMs)
        return (here ? here.result : await runElsewhere(phone, cmd, timeoutMs)) as never
      } catch (err) {
        throw asHttp(phone, err)
      }
    },
    async close() {
      await stopCommands()
      await stopAnswers()
    },
  }
}
