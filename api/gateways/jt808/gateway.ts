import { createServer, type Server, type Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/types.ts'
import type { VehicleDispatch } from '../../../geo/vehicles.ts'
import {
  confirmSignIn, findBindings, forgetAuthCode, recordRefusal, recordSeen, registerTerminal, terminalChange, TERMINALS_CHANNEL,
} from '../../terminals/repository.ts'
import { AddressLimiter, type AddressLimits } from './address-limiter.ts'
import { BindingLookup } from './binding-lookup.ts'
import { IngestBatcher, type Ingest } from './ingest-batcher.ts'
import type { Location } from './location.ts'
import { MAX_ESCAPED_FRAME } from './frame.ts'
import { GatewayLog, type LogLimits } from './log-throttle.ts'
import { TerminalSession, type SessionContext, type SessionLimits, type UnauthenticatedLimits } from './session.ts'
import { type ConnectionSignInLimits, SignInGuard } from './sign-in-guard.ts'

export interface Jt808Options {
  port: number
  host?: string
  /** a connection with no byte received for this long is closed (terminals beat every ~60 s) */
  idleTimeoutMs?: number
  maxConnections?: number
  /** how long fixes wait to be stored together with other terminals' fixes */
  batchWindowMs?: number
  /** per connection once authenticated */
  limits?: Partial<SessionLimits>
  /** per connection until authenticated, and how long it has to */
  unauthenticated?: Partial<UnauthenticatedLimits>
  /** registrations and failures per connection */
  signIn?: Partial<ConnectionSignInLimits>
  /** registrations and failures per source address */
  addresses?: Partial<AddressLimits>
  /** log lines per connection and overall */
  log?: Partial<LogLimits>
  /** how long a location query (POST /api/terminals/:phone/locate) waits for the terminal */
  locateTimeoutMs?: number
  /** how often the one sweep over all connections runs (sign-in deadline, idleness, stalled uploads) */
  sweepMs?: number
  /** a terminal's refused registrations are kept for the admin at most once in this long (a storm writes little) */
  refusalKeepMs?: number
}

/** What the gateway hands to the rest of the API beyond positions: photos and alarms. */
export interface FleetHooks {
  storeMedia: SessionContext['storeMedia']
  alarms: SessionContext['alarms']
}

const NO_FLEET: FleetHooks = {
  storeMedia: async () => { throw new Error('photos are not stored by this gateway') },
  alarms: () => null,
}

export interface Jt808Gateway {
  readonly port: number
  readonly locateTimeoutMs: number
  /** open connections, each counted until the message it was handling is done */
  connections(): number
  /** source addresses the rate limiter remembers (bounded by addresses.maxAddresses) */
  trackedAddresses(): number
  /** the session of an authenticated terminal on this process */
  session(phone: string): TerminalSession | undefined
  /** a dispatch order as text on the truck's terminal display (0x8300); false when not connected here */
  sendDispatch(order: VehicleDispatch): boolean
  /** null: the terminal did not answer within locateTimeoutMs */
  locate(phone: string): Promise<Location | null | 'notConnected'>
  close(): Promise<void>
}

const DEFAULT_LIMITS: SessionLimits = {
  maxFrameBytes: MAX_ESCAPED_FRAME,
  maxQueuedMessages: 64,
  maxUnreadReplyBytes: 256 * 1024,
  maxBadFramesInARow: 50,
}

/**
 * A terminal registers (~120 bytes escaped at most) and authenticates (~80) within seconds of
 * connecting, one message at a time; a stranger gets no more than that needs.
 */
const DEFAULT_UNAUTHENTICATED: UnauthenticatedLimits = {
  maxFrameBytes: 512,
  maxQueuedMessages: 4,
  maxUnreadReplyBytes: 4096,
  maxBadFramesInARow: 5,
  maxBytes: 4096,
  timeoutMs: 30_000,
}

/** One connection: a terminal registers once in its life and authenticates once per connection. */
const DEFAULT_SIGN_IN: ConnectionSignInLimits = {
  registrations: { burst: 3, perSecond: 1 / 60 },
  failures: { burst: 3, perSecond: 1 / 60 },
}

/**
 * One address may be a carrier NAT with thousands of terminals behind it, each registering
 * once in its life and failing to authenticate only after a reset: generous budgets, which
 * still hold a stranger to about one guessed terminal ID a second.
 */
const DEFAULT_ADDRESSES: AddressLimits = {
  registrations: { burst: 200, perSecond: 2 },
  failures: { burst: 100, perSecond: 1 },
  maxAddresses: 10_000,
}

const DEFAULT_LOG: LogLimits = {
  perConnection: { burst: 5, perSecond: 0.1 },
  overall: { burst: 100, perSecond: 10 },
  summaryEveryMs: 10_000,
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
export async function startJt808Gateway(db: Db, ingest: Ingest, log: FastifyBaseLogger, opts: Jt808Options, hooks: FleetHooks = NO_FLEET): Promise<Jt808Gateway> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits }
  const unauthenticated = { ...DEFAULT_UNAUTHENTICATED, ...opts.unauthenticated }
  const signIn = { ...DEFAULT_SIGN_IN, ...opts.signIn }
  const addresses = new AddressLimiter({ ...DEFAULT_ADDRESSES, ...opts.addresses })
  const glog = new GatewayLog(log, { ...DEFAULT_LOG, ...opts.log })
  const locateTimeoutMs = opts.locateTimeoutMs ?? 10_000
  const idleTimeoutMs = opts.idleTimeoutMs ?? 180_000
  const batcher = new IngestBatcher(ingest, opts.batchWindowMs ?? 20)
  const bindings = new BindingLookup((phones) => findBindings(db, phones))
  const byPhone = new Map<string, TerminalSession>()
  const byVehicle = new Map<number, TerminalSession>()
  const open = new Set<Socket>()
  const sessions = new Set<TerminalSession>()
  let seen = new Map<string, number>()
  const refusalKeepMs = opts.refusalKeepMs ?? 10_000
  // only bound IDs get here, so this holds at most one entry per terminal
  const refusalKept = new Map<string, number>()

  const ctx: SessionContext = {
    findBinding: (phone) => bindings.get(phone),
    register: (phone, code, device) => registerTerminal(db, phone, code, device),
    confirmSignIn: (phone, code) => confirmSignIn(db, phone, code),
    forgetAuthCode: (phone) => forgetAuthCode(db, phone),
    refused(phone, refusal) {
      const now = Date.now()
      if (now - (refusalKept.get(phone) ?? -Infinity) < refusalKeepMs) return
      refusalKept.set(phone, now)
      recordRefusal(db, phone, refusal).catch((err: unknown) => log.warn({ err, phone }, 'jt808: a refused registration was not kept'))
    },
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
    storeMedia: hooks.storeMedia,
    alarms: hooks.alarms,
    limits,
    unauthenticated,
  }

  const server: Server = createServer((socket) => {
    open.add(socket)
    socket.setNoDelay(true)
    // no timer per socket (tens of thousands of them): one sweep closes idle and silent connections
    const session = new TerminalSession(socket, ctx, new SignInGuard(addresses, socket.remoteAddress ?? 'unknown', signIn), glog.connection())
    sessions.add(session)
    socket.on('error', (err) => session.log.debug({ peer: session.peer, err: err.message }, 'jt808: socket error'))
    socket.on('close', () => {
      sessions.delete(session)
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
  // addresses whose budgets are whole again are forgotten
  const sweepTimer = setInterval(() => addresses.sweep(), 60_000)
  sweepTimer.unref()
  const connectionSweep = setInterval(() => {
    const now = Date.now()
    for (const session of sessions) session.sweep(now, idleTimeoutMs)
  }, opts.sweepMs ?? 1000)
  connectionSweep.unref()

  // an unbound or reset terminal is cut off on whichever process holds it
  const unlisten = await db.listen(TERMINALS_CHANNEL, (payload) => {
    // a JSON payload is a command for a terminal (terminals/commands.ts runs those)
    if (payload.startsWith('{')) return
    const { phone, change } = terminalChange(payload)
    byPhone.get(phone)?.close(change === 'reset' ? 'terminal reset by an admin' : 'terminal unbound')
  })

  return {
    port,
    locateTimeoutMs,
    connections: () => open.size,
    trackedAddresses: () => addresses.size,
    session: (phone) => byPhone.get(phone),
    sendDispatch(order) {
      const session = byVehicle.get(order.vehicleId)
      if (!session || order.state !== 'sent') return false
      session.sendText(dispatchText(order))
      return true
    },
    async locate(phone) {
      const session = byPhone.get(phone)
      return session ? session.locate(locateTimeoutMs) : 'notConnected'
    },
    async close() {
      clearInterval(seenTimer)
      clearInterval(sweepTimer)
      clearInterval(connectionSweep)
      glog.close()
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
