import type { Socket } from 'node:net'
import type { PositionInput } from '../../../geo/vehicles.ts'
import type { TerminalBinding } from '../../terminals/repository.ts'
import { FrameError, FrameSplitter } from './frame.ts'
import { decodeFrame, encodeMessage, type Edition, type Header } from './header.ts'
import { FleetMsgId, MsgId } from './ids.ts'
import { FleetLink } from './fleet-link.ts'
import { faultsOf } from './alarms.ts'
import type { Location } from './location.ts'
import {
  decodeTerminalMessage, encodePlatformResponse, encodeRegistrationResponse, encodeTextMessage,
  PlatformResult, RegistrationResult, TextFlag, TextType, type TerminalMessage, type Registration as RegistrationBody,
} from './messages.ts'
import { Reassembler } from './reassembly.ts'
import type { BatchOutcome } from './ingest-batcher.ts'
import type { ConnectionLog } from './log-throttle.ts'
import type { SignInGuard } from './sign-in-guard.ts'
import { authentication, registration } from './sign-in.ts'
import type { SessionContext, SessionLimits } from './session-context.ts'

export type { SessionContext, SessionLimits, UnauthenticatedLimits } from './session-context.ts'

/**
 * A report whose receiver has no fix (status bit 1 clear) or no valid time carries status only:
 * its coordinates are 0,0 or a stale place, so it is answered and not stored as a position.
 */
const toPosition = (vehicleId: number, l: Location): PositionInput | null =>
  l.flags.positioned && l.time
    ? { vehicleId, time: l.time, lon: l.lon, lat: l.lat, speedKmh: l.speedKmh, heading: l.direction % 360 }
    : null

/**
 * One TCP connection of one terminal: frames in, replies out, in the order the terminal sent
 * them. Positions are answered only after they are durably stored, so a terminal that never
 * got its 0x8001 resends, and a resend is idempotent.
 */
export class TerminalSession {
  binding: TerminalBinding | null = null
  edition: Edition = 2013
  protocolVersion: number | undefined
  phone: string | null = null
  private serial = 0
  private queue: Promise<void> = Promise.resolve()
  private queued = 0
  private paused = false
  private badInARow = 0
  private closed = false
  private bytesBeforeAuth = 0
  /** when the connection opened and last sent a byte: the gateway's sweep closes it past a deadline (no timer per socket) */
  private readonly openedAt = Date.now()
  private lastActivity = this.openedAt
  private readonly splitter: FrameSplitter
  // made on first use: most connections only report, and there are tens of thousands of them
  private reassembly: Reassembler | null = null
  private queries: Map<number, (l: Location | null) => void> | null = null
  link: FleetLink | null = null
  readonly stats = { messages: 0, badFrames: 0 }

  constructor(
    readonly socket: Socket,
    private readonly ctx: SessionContext,
    private readonly guard: SignInGuard,
    readonly log: ConnectionLog,
  ) {
    this.splitter = new FrameSplitter({
      maxFrameBytes: ctx.unauthenticated.maxFrameBytes,
      onDrop: (d) => log.warn({ peer: this.peer, reason: d.reason, bytes: d.bytes }, 'jt808: bytes dropped'),
    })
    socket.on('data', (chunk) => this.receive(chunk))
  }

  get reassembler(): Reassembler {
    return (this.reassembly ??= new Reassembler({ maxPending: 8, maxBytes: 256 * 1024, timeoutMs: 60_000 }))
  }

  /** the fleet functions of this connection (commands, photo uploads) */
  fleet(): FleetLink {
    if (this.link) return this.link
    const session = this
    this.link = new FleetLink({
      send: (msgId, body) => this.write(msgId, this.me, body),
      get edition() { return session.edition },
      storeMedia: (m) => this.ctx.storeMedia(this.binding!, this.phone!, m),
      reassembler: this.reassembler,
      warn: (obj, msg) => this.log.warn({ peer: this.peer, ...obj }, msg),
    })
    return this.link
  }

  /** The gateway's periodic sweep: the sign-in deadline, idleness, stalled uploads. */
  sweep(now: number, idleMs: number): void {
    if (this.closed) return
    if (!this.binding && now - this.openedAt > this.ctx.unauthenticated.timeoutMs) {
      return this.close(`not authenticated within ${this.ctx.unauthenticated.timeoutMs / 1000} s`)
    }
    // a terminal waiting for our answer is not idle: the clock runs from the answer on
    if (this.queued === 0 && now - this.lastActivity > idleMs) return this.close(`idle for ${idleMs / 1000} s`)
    this.link?.sweep(now)
  }

  /** what applies now: a stranger gets far less than a signed-in terminal */
  private get limits(): SessionLimits {
    return this.binding ? this.ctx.limits : this.ctx.unauthenticated
  }

  get peer(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}${this.phone ? ` ${this.phone}` : ''}`
  }

  get authenticated(): boolean {
    return this.binding !== null
  }

  /** Ends the connection once pending replies are written. */
  close(reason: string): void {
    if (this.closed) return
    this.closed = true
    this.log.last('info', { peer: this.peer, reason }, 'jt808: closing connection')
    this.socket.end()
    // a peer that never reads would hold the socket open: destroy after a grace period
    setTimeout(() => this.socket.destroy(), 2000).unref()
  }

  private receive(chunk: Buffer): void {
    // after close, what still arrives until the socket is gone is read and dropped
    if (this.closed) return
    this.lastActivity = Date.now()
    if (!this.binding) {
      this.bytesBeforeAuth += chunk.length
      if (this.bytesBeforeAuth > this.ctx.unauthenticated.maxBytes) return this.close(`${this.bytesBeforeAuth} bytes sent without authenticating`)
    }
    for (const raw of this.splitter.push(chunk)) {
      if (this.closed) return
      if (!this.binding && this.queued >= this.ctx.unauthenticated.maxQueuedMessages) {
        return this.close(`more than ${this.queued} messages waiting before authenticating`)
      }
      let header: Header
      let body: Buffer
      try {
        ;({ header, body } = decodeFrame(raw))
      } catch (err) {
        this.badFrame(err)
        continue
      }
      if (header.packet && !this.binding) {
        // registration and authentication are never subpackaged: a stranger keeps no packets
        this.enqueue(async () => this.respond(header, PlatformResult.failure))
        continue
      }
      const isMedia = header.msgId === FleetMsgId.mediaData
      if (isMedia) this.fleet().packet(header, body)
      const whole = this.reassembler.push(header, body, Date.now())
      if (whole === null) {
        if (!header.packet) continue
        if (isMedia) {
          // an upload is answered with 0x8800 only: after its last packet, listing what is missing
          const pending = header.packet.index === header.packet.total ? this.reassembler.missing(header) : null
          if (pending) this.enqueue(async () => this.fleet().incomplete(pending))
        } else if (header.packet.index < header.packet.total) {
          // a packet of a longer message: received; the message is answered when complete
          this.enqueue(async () => this.respond(header, PlatformResult.ok))
        }
        continue
      }
      let msg: TerminalMessage
      try {
        msg = decodeTerminalMessage(header.packet ? { ...header, packet: undefined } : header, whole)
      } catch (err) {
        this.badFrame(err)
        this.enqueue(async () => this.respond(header, PlatformResult.messageError))
        continue
      }
      this.badInARow = 0
      this.enqueue(() => this.handle(msg))
    }
  }

  private badFrame(err: unknown): void {
    this.stats.badFrames++
    const reason = err instanceof FrameError ? err.reason : 'error'
    this.log.warn({ peer: this.peer, reason, err: (err as Error).message }, 'jt808: malformed frame dropped')
    if (++this.badInARow >= this.limits.maxBadFramesInARow) this.close(`${this.badInARow} malformed frames in a row`)
  }

  /** Messages are handled one after another; a terminal that outpaces us is read slower. */
  private enqueue(task: () => Promise<void>): void {
    this.queued++
    if (this.queued > this.limits.maxQueuedMessages && !this.paused) {
      this.paused = true
      this.socket.pause()
    }
    this.queue = this.queue
      // a message still queued when its connection ends is not handled: its reply could not
      // be delivered, and a terminal resends what it was not answered (a registration handled
      // for a dead connection would void the auth code the terminal signed in with since)
      .then(() => (this.closed ? undefined : task()))
      .catch((err) => this.log.error({ peer: this.peer, err }, 'jt808: message handling failed'))
      .finally(() => {
        if (--this.queued === 0) this.lastActivity = Date.now()
        if (this.paused && this.queued <= this.limits.maxQueuedMessages / 2) {
          this.paused = false
          this.socket.resume()
        }
      })
  }

  private async handle(msg: TerminalMessage): Promise<void> {
    const h = msg.header
    this.stats.messages++
    this.edition = h.edition
    this.protocolVersion = h.protocolVersion
    // a terminal's header carries its ID; one connection speaks for one terminal
    if (this.phone !== null && h.phone !== this.phone) {
      this.log.warn({ peer: this.peer, phone: h.phone }, 'jt808: another terminal ID on an authenticated connection')
      return this.respond(h, PlatformResult.failure)
    }
    if (this.binding) this.ctx.seen(h.phone)
    switch (msg.kind) {
      case 'registration':
        return this.register(h, msg.body)
      case 'authentication':
        return this.authenticate(h, msg.body.authCode)
    }
    if (!this.binding) return this.respond(h, PlatformResult.failure)
    switch (msg.kind) {
      case 'heartbeat':
        return this.respond(h, PlatformResult.ok)
      case 'logout':
        await this.ctx.forgetAuthCode(h.phone)
        this.respond(h, PlatformResult.ok)
        return this.close('terminal logged out')
      case 'locationReport':
        return this.store(h, [msg.body])
      case 'batchLocation':
        return this.store(h, msg.body.locations)
      case 'locationQueryResponse': {
        this.queries?.get(msg.body.replySerial)?.(msg.body.location)
        this.queries?.delete(msg.body.replySerial)
        // an answer needs no reply; its position is stored like any other
        const p = toPosition(this.binding.vehicleId, msg.body.location)
        if (p) await this.ctx.ingest([p], this.binding.crs).catch(() => undefined)
        return
      }
      case 'terminalResponse':
        if (!this.link?.answered(MsgId.terminalResponse, msg.body.replySerial, msg.body)) this.log.debug({ peer: this.peer, ...msg.body }, 'jt808: terminal answered')
        return
      case 'parametersResponse':
        this.link?.answered(FleetMsgId.parametersResponse, msg.body.replySerial, msg.body)
        return
      case 'cameraResponse':
        this.link?.answered(FleetMsgId.cameraResponse, msg.body.replySerial, msg.body)
        return
      case 'mediaEvent':
        return this.respond(h, PlatformResult.ok)
      case 'mediaData':
        return this.fleet().media(msg.body)
      default:
        return this.respond(h, PlatformResult.unsupported)
    }
  }

  private async register(h: Header, sent: RegistrationBody): Promise<void> {
    const r = await registration(this.ctx, this.guard, h.phone, sent, () => !this.closed)
    if (!r) return
    if ('close' in r) return this.close(r.close)
    if (r.warning) this.log.warn({ peer: this.peer, phone: h.phone }, r.warning)
    this.write(MsgId.registrationResponse, h, encodeRegistrationResponse({ replySerial: h.serial, result: r.reply, authCode: r.authCode }))
  }

  private async authenticate(h: Header, authCode: string): Promise<void> {
    const a = await authentication(this.ctx, this.guard, h.phone, authCode, () => !this.closed)
    if (!a) return
    if ('close' in a) return this.close(a.close)
    if ('reply' in a) return this.respond(h, PlatformResult.failure)
    this.binding = a.binding
    this.phone = h.phone
    // the limits of a signed-in terminal from the next byte on
    this.splitter.maxFrameBytes = this.ctx.limits.maxFrameBytes
    this.ctx.attach(this)
    this.ctx.seen(h.phone)
    return this.respond(h, PlatformResult.ok)
  }

  /** The alarm bits of the newest report: the emergency button and device faults become alerts at once. */
  private alarms(h: Header, locations: Location[]): void {
    const l = locations[locations.length - 1]
    if (!l) return
    const pending = this.ctx.alarms({
      vehicleId: this.binding!.vehicleId, phone: h.phone, alarmSerial: h.serial, emergency: l.alarms.emergency, faults: faultsOf(l.alarms),
      lon: l.flags.positioned ? l.lon : null, lat: l.flags.positioned ? l.lat : null,
    })
    pending?.catch((err) => this.log.error({ peer: this.peer, err }, 'jt808: alarm handling failed'))
  }

  private async store(h: Header, locations: Location[]): Promise<void> {
    const binding = this.binding!
    if (h.msgId === MsgId.locationReport) this.alarms(h, locations)
    const positions = locations.map((l) => toPosition(binding.vehicleId, l)).filter((p): p is PositionInput => p !== null)
    if (!positions.length) return this.respond(h, PlatformResult.ok)
    let outcome: BatchOutcome
    try {
      outcome = await this.ctx.ingest(positions, binding.crs)
    } catch (err) {
      // not stored: "failure" makes the terminal send it again
      this.log.error({ peer: this.peer, err }, 'jt808: ingest failed')
      return this.respond(h, PlatformResult.failure)
    }
    if (outcome.rejected.length) this.log.warn({ peer: this.peer, rejected: outcome.rejected.map((r) => r.message) }, 'jt808: fixes refused')
    // every fix refused: a message error, which terminals do not resend
    return this.respond(h, outcome.accepted === 0 ? PlatformResult.messageError : PlatformResult.ok)
  }

  private respond(h: Header, result: number): void {
    this.write(MsgId.platformResponse, h, encodePlatformResponse({ replySerial: h.serial, replyId: h.msgId, result }))
  }

  /** A platform message in the terminal's own edition; returns its serial. */
  private write(msgId: number, to: Pick<Header, 'phone' | 'edition' | 'protocolVersion'>, body: Buffer): number {
    const serial = this.serial
    this.serial = (this.serial + 1) & 0xffff
    if (this.closed || this.socket.destroyed) return serial
    if (this.socket.writableLength > this.limits.maxUnreadReplyBytes) {
      this.close('peer does not read its replies')
      return serial
    }
    this.socket.write(encodeMessage({ msgId, edition: to.edition, phone: to.phone, serial, protocolVersion: to.protocolVersion }, body))
    return serial
  }

  private get me(): Pick<Header, 'phone' | 'edition' | 'protocolVersion'> {
    return { phone: this.phone!, edition: this.edition, protocolVersion: this.protocolVersion }
  }

  /** A text message (0x8300) shown on the terminal's display and read aloud. */
  sendText(text: string): void {
    if (!this.phone) return
    this.write(MsgId.textMessage, this.me, encodeTextMessage({ flag: TextFlag.display | TextFlag.tts, textType: TextType.service, text }, this.edition))
  }

  /** Asks for the position now (0x8201); resolves with the 0x0201 answer, or null after timeoutMs. */
  locate(timeoutMs: number): Promise<Location | null> {
    if (!this.phone) return Promise.resolve(null)
    const serial = this.write(MsgId.locationQuery, this.me, Buffer.alloc(0))
    const queries = (this.queries ??= new Map<number, (l: Location | null) => void>())
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        queries.delete(serial)
        resolve(null)
      }, timeoutMs)
      queries.set(serial, (l) => {
        clearTimeout(timer)
        resolve(l)
      })
    })
  }

  /** Settles when the message being handled, if any, is done; nothing queued runs after close. */
  settled(): Promise<void> {
    return this.queue
  }

  /** the connection ended: nothing more is routed here */
  ended(): void {
    this.closed = true
    for (const resolve of this.queries?.values() ?? []) resolve(null)
    this.queries?.clear()
    this.link?.close()
    if (this.binding) this.ctx.detach(this)
  }
}
