import { createServer, type Server, type Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/types.ts'
import type { VehicleDispatch } from '../../../geo/vehicles.ts'
import { findBinding, recordRegistration, recordSeen, TERMINALS_CHANNEL } from '../../terminals/repository.ts'
import { IngestBatcher, type Ingest } from './ingest-batcher.ts'
import type { Location } from './location.ts'
import { MAX_ESCAPED_FRAME } from './frame.ts'
import { TerminalSession, type SessionContext, type SessionLimits } from './session.ts'

export interface Jt808Options {
  port: number
  host?: string
  /** a connection with no byte received for this long is closed (terminals beat every ~60 s) */
  idleTimeoutMs?: number
  maxConnections?: number
  /** how long fixes wait to be stored together with other terminals' fixes */
  batchWindowMs?: number
  limits?: Partial<SessionLimits>
}

export interface Jt808Gateway {
  readonly port: number
  /** open connections, each counted until the message it was handling is done */
  connections(): number
  /** the session of an authenticated terminal on this process */
  session(phone: string): TerminalSession | undefined
  /** a dispatch order as text on the truck's terminal display (0x8300); false when not connected here */
  sendDispatch(order: VehicleDispatch): boolean
  locate(phone: string, timeoutMs?: number): Promise<Location | null | 'notConnected'>
  close(): Promise<void>
}

const DEFAULT_LIMITS: SessionLimits = {
  maxFrameBytes: MAX_ESCAPED_FRAME,
  maxQueuedMessages: 64,
  maxUnreadReplyBytes: 256 * 1024,
  maxBadFramesInARow: 50,
  maxAuthFailures: 5,
}

export function dispatchText(order: VehicleDispatch): string {
  return `调度指令: 请前往${order.collectionPointName}收运${order.note ? `，${order.note}` : ''}`
}

/**
 * The JT/T 808 TCP gateway. Terminals register, authenticate and report; their fixes go
 * through the same ingest function as HTTP (validation, storage, fan-out, alerts). Each
 * process serves its own connections; dispatch orders reach a truck through whichever process
 * holds its connection (every process hears the order on NOTIFY).
 */
export async function startJt808Gateway(db: Db, ingest: Ingest, log: FastifyBaseLogger, opts: Jt808Options): Promise<Jt808Gateway> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits }
  const idleTimeoutMs = opts.idleTimeoutMs ?? 180_000
  const batcher = new IngestBatcher(ingest, opts.batchWindowMs ?? 20)
  const byPhone = new Map<string, TerminalSession>()
  const byVehicle = new Map<number, TerminalSession>()
  const open = new Set<Socket>()
  let seen = new Map<string, number>()

  const ctx: SessionContext = {
    findBinding: (phone) => findBinding(db, phone),
    recordRegistration: (phone, code, device) => recordRegistration(db, phone, code, device),
    forgetAuthCode: async (phone) => void (await db.query('UPDATE terminals SET auth_code = NULL WHERE phone = $1', [phone])),
    ingest: (positions, crs) => batcher.add(positions, crs),
    attach(session) {
      const phone = session.phone!
      // a terminal that reconnects leaves its old connection behind: the newest one wins
      const old = byPhone.get(phone)
      if (old && old !== session) old.close('the terminal connected again')
      byPhone.set(phone, session)
      byVehicle.set(session.binding!.vehicleId, session)
    },
    detach(session) {
      const phone = session.phone!
      if (byPhone.get(phone) === session) byPhone.delete(phone)
      const vehicleId = session.binding!.vehicleId
      if (byVehicle.get(vehicleId) === session) byVehicle.delete(vehicleId)
    },
    seen: (phone) => void seen.set(phone, Date.now()),
    log,
    limits,
  }

  const server: Server = createServer((socket) => {
    open.add(socket)
    socket.setNoDelay(true)
    socket.setTimeout(idleTimeoutMs)
    const session = new TerminalSession(socket, ctx)
    socket.on('timeout', () => session.close(`idle for ${idleTimeoutMs / 1000} s`))
    socket.on('error', (err) => log.debug({ peer: session.peer, err: err.message }, 'jt808: socket error'))
    socket.on('close', () => {
      session.ended()
      // counted until the message it was handling is done, so connections() === 0 means quiet
      void session.settled().then(() => open.delete(socket))
    })
  })
  server.maxConnections = opts.maxConnections ?? 20_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`the JT/T 808 gateway cannot listen on port ${opts.port} (JT808_PORT; "off" turns it off): ${err.code ?? err.message}`)))
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve())
  })
  const port = (server.address() as { port: number }).port
  log.info({ port }, 'jt808 gateway listening')

  // last-seen times go to the database in one statement every few seconds, not per message
  const flushSeen = async () => {
    const batch = seen
    seen = new Map()
    await recordSeen(db, batch).catch((err) => log.warn({ err }, 'jt808: last-seen update failed'))
  }
  const seenTimer = setInterval(() => void flushSeen(), 5000)
  seenTimer.unref()

  // an unbound terminal is cut off on whichever process holds it
  const unlisten = await db.listen(TERMINALS_CHANNEL, (phone) => byPhone.get(phone)?.close('terminal unbound'))

  return {
    port,
    connections: () => open.size,
    session: (phone) => byPhone.get(phone),
    sendDispatch(order) {
      const session = byVehicle.get(order.vehicleId)
      if (!session || order.state !== 'sent') return false
      session.sendText(dispatchText(order))
      return true
    },
    async locate(phone, timeoutMs = 10_000) {
      const session = byPhone.get(phone)
      return session ? session.locate(timeoutMs) : 'notConnected'
    },
    async close() {
      clearInterval(seenTimer)
      await unlisten()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // fixes already received are stored and answered before the connections go
      await batcher.drain()
      for (const socket of open) socket.destroy()
      await closed
      await flushSeen()
    },
  }
}
