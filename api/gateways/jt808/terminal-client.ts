import { connect, type Socket } from 'node:net'
import { FrameSplitter } from './frame.ts'
import { decodeFrame, encodeSubpackaged, type Edition, type Header } from './header.ts'
import { MsgId } from './ids.ts'
import { PlatformResult, RegistrationResult, TerminalResult, type Registration, type RegistrationResponse, type Response, type TextMessage } from './messages.ts'
import { decodePlatformResponse, decodeRegistrationResponse, decodeTextMessage } from './platform-decoders.ts'
import {
  encodeAuthentication, encodeBatchLocation, encodeHeartbeat, encodeLocation, encodeLocationQueryResponse, encodeLogout,
  encodeRegistration, encodeTerminalResponse, type LocationInput,
} from './terminal-codec.ts'

export interface TerminalOptions {
  host: string
  port: number
  /** the terminal ID as it goes in the header: 12 digits (2013) or 20 (2019) */
  phone: string
  edition: Edition
  /** how long to wait for the platform's answer to one message */
  replyTimeoutMs?: number
  registration?: Partial<Registration>
  /** the code it registered for, kept across restarts as a real terminal keeps it in flash */
  authCode?: string | null
  /** the address to connect from (tests: 127.0.0.x stand for different sources) */
  localAddress?: string
}

/**
 * What a simulated unit (tests, the simulator, the bench) says of itself at registration
 * unless told otherwise; binding it with the same values lets it register.
 */
export function simulatedUnit(phone: string, plate = '鲁Q00000'): { terminalId: string; makerId: string; model: string; plate: string } {
  return { terminalId: phone.slice(-7), makerId: 'SZWG1', model: 'SIM-808', plate }
}

/** The platform refused a registration with result 3: the terminal is registered, and only an admin's reset lets it register again. */
export class AlreadyRegisteredError extends Error {
  override readonly name = 'AlreadyRegisteredError'
  constructor(readonly phone: string) {
    super(`terminal ${phone} is already registered (result 3): an admin must reset it (POST /api/terminals/${phone}/reset) before it can register again`)
  }
}

/** The platform refused a registration as not the unit or the truck it has bound (result 4 or 2): the binding or the unit's settings are wrong. */
export class RegistrationRefusedError extends Error {
  override readonly name = 'RegistrationRefusedError'
  constructor(readonly phone: string, readonly result: number) {
    super(`terminal ${phone}: registration refused with result ${result} (${result === RegistrationResult.vehicleUnknown ? 'vehicle not in database: check the plate' : 'terminal not in database: check the binding'})`)
  }
}

/** A location as the terminal knows it, for 0x0200 and for the answer to a location query. */
export type WhereAmI = () => LocationInput

/**
 * A JT/T 808 vehicle terminal over TCP, as the simulator, the tests and the benchmark drive
 * it: register, authenticate, report, answer the platform's queries and text messages.
 */
export class Jt808Terminal {
  private socket: Socket | null = null
  private serial = 0
  private readonly splitter = new FrameSplitter()
  private readonly waiting = new Map<string, { resolve: (h: { header: Header; body: Buffer }) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  authCode: string | null
  /** text messages (0x8300) received, newest last */
  readonly texts: TextMessage[] = []
  onText: ((m: TextMessage) => void) | null = null
  whereAmI: WhereAmI | null = null
  onClose: (() => void) | null = null
  /** platform messages this class does not handle itself (terminal-fleet.ts takes the fleet ones) */
  readonly handlers = new Map<number, (header: Header, body: Buffer) => void>()
  /** serial of the first frame the next message will use */
  get nextSerial(): number {
    return this.serial
  }

  constructor(readonly opts: TerminalOptions) {
    this.authCode = opts.authCode ?? null
  }

  get connected(): boolean {
    return this.socket !== null && !this.socket.destroyed
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.opts.host, port: this.opts.port, localAddress: this.opts.localAddress })
      socket.setNoDelay(true)
      socket.once('connect', () => {
        this.socket = socket
        resolve()
      })
      socket.once('error', reject)
      socket.on('error', () => {})
      socket.on('data', (chunk) => this.receive(chunk))
      socket.on('close', () => {
        for (const w of this.waiting.values()) {
          clearTimeout(w.timer)
          w.reject(new Error('connection closed'))
        }
        this.waiting.clear()
        this.onClose?.()
      })
    })
  }

  /**
   * Signs in as a real terminal does: authenticates (0x0102) with the code it keeps; without
   * one, or when the platform no longer knows it (reset, logout, unbound and bound again),
   * registers (0x0100) for a new one first. A registered terminal's registration is refused
   * (result 3): AlreadyRegisteredError.
   */
  async login(): Promise<void> {
    if (this.authCode && (await this.authenticate(this.authCode)).result === PlatformResult.ok) return
    const reg = await this.register()
    if (reg.result === RegistrationResult.terminalAlreadyRegistered) throw new AlreadyRegisteredError(this.opts.phone)
    if (reg.result !== RegistrationResult.ok) throw new RegistrationRefusedError(this.opts.phone, reg.result)
    this.authCode = reg.authCode!
    const auth = await this.authenticate(this.authCode)
    if (auth.result !== PlatformResult.ok) throw new Error(`authentication refused with result ${auth.result}`)
  }

  async register(): Promise<RegistrationResponse> {
    const body = encodeRegistration({
      province: 37, city: 1300, plateColor: 1, ...simulatedUnit(this.opts.phone), ...this.opts.registration,
    }, this.opts.edition)
    const { body: reply } = await this.request(MsgId.registration, body, MsgId.registrationResponse)
    return decodeRegistrationResponse(reply)
  }

  async authenticate(authCode: string): Promise<Response> {
    return this.platformResponse(MsgId.authentication, encodeAuthentication({ authCode, imei: '860000000000001', softwareVersion: 'sim-1.0' }, this.opts.edition))
  }

  heartbeat(): Promise<Response> {
    return this.platformResponse(MsgId.heartbeat, encodeHeartbeat())
  }

  /** One position (0x0200); resolves with the platform's 0x8001 once it answered. */
  report(loc: LocationInput): Promise<Response> {
    return this.platformResponse(MsgId.locationReport, encodeLocation(loc))
  }

  /** Held-back positions (0x0704, type 1 = blind-zone re-upload), subpackaged when long. */
  reportBatch(locations: LocationInput[], type = 1): Promise<Response> {
    return this.platformResponse(MsgId.batchLocation, encodeBatchLocation({ type, locations }))
  }

  async logout(): Promise<Response> {
    const r = await this.platformResponse(MsgId.logout, encodeLogout())
    this.authCode = null
    return r
  }

  /** A message that gets no 0x8001 (an answer, an upload): its frames, as written (subpackaged when long). */
  sendMessage(msgId: number, body: Buffer, maxPacketBody?: number): Buffer[] {
    const frames = encodeSubpackaged({ msgId, edition: this.opts.edition, phone: this.opts.phone, serial: this.serial }, body, maxPacketBody)
    this.serial = (this.serial + frames.length) & 0xffff
    return frames
  }

  /** Waits for a platform message (msgId) whose body starts with the given serial (an answer to it). */
  awaitReply(replyId: number, serial: number, timeoutMs = this.opts.replyTimeoutMs ?? 10_000): Promise<{ header: Header; body: Buffer }> {
    const key = `${replyId}/${serial}`
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key)
        reject(new Error(`no 0x${replyId.toString(16)} to serial ${serial} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(key, { resolve, reject, timer })
    })
  }

  /** Raw bytes, for tests of what the gateway does with bad input. */
  writeRaw(bytes: Uint8Array): void {
    this.socket?.write(bytes)
  }

  close(): void {
    this.socket?.destroy()
  }

  /** Sends a message and waits for the platform's 0x8001 to it (to its last packet when long). */
  private async platformResponse(msgId: number, body: Buffer): Promise<Response> {
    const { body: reply } = await this.request(msgId, body, MsgId.platformResponse)
    return decodePlatformResponse(reply)
  }

  private request(msgId: number, body: Buffer, replyId: number): Promise<{ header: Header; body: Buffer }> {
    const frames = this.frames(msgId, body)
    const last = (this.serial - 1) & 0xffff
    const key = `${replyId}/${last}`
    const timeoutMs = this.opts.replyTimeoutMs ?? 10_000
    const answered = new Promise<{ header: Header; body: Buffer }>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key)
        reject(new Error(`no answer to 0x${msgId.toString(16).padStart(4, '0')} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(key, { resolve, reject, timer })
    })
    if (!this.connected) return Promise.reject(new Error('not connected'))
    this.socket!.write(Buffer.concat(frames))
    return answered
  }

  private frames(msgId: number, body: Buffer): Buffer[] {
    const frames = encodeSubpackaged({ msgId, edition: this.opts.edition, phone: this.opts.phone, serial: this.serial }, body)
    this.serial = (this.serial + frames.length) & 0xffff
    return frames
  }

  private send(msgId: number, body: Buffer): void {
    if (this.connected) this.socket!.write(Buffer.concat(this.frames(msgId, body)))
  }

  private receive(chunk: Buffer): void {
    for (const raw of this.splitter.push(chunk)) {
      let header: Header
      let body: Buffer
      try {
        ;({ header, body } = decodeFrame(raw))
      } catch {
        continue // a frame we cannot read is one the platform will send again
      }
      switch (header.msgId) {
        case MsgId.platformResponse:
        case MsgId.registrationResponse: {
          const replySerial = body.readUInt16BE(0)
          const key = `${header.msgId}/${replySerial}`
          const w = this.waiting.get(key)
          if (w) {
            this.waiting.delete(key)
            clearTimeout(w.timer)
            w.resolve({ header, body })
          }
          break
        }
        case MsgId.textMessage: {
          const m = decodeTextMessage(body, this.opts.edition)
          this.texts.push(m)
          if (this.texts.length > 100) this.texts.shift()
          this.send(MsgId.terminalResponse, encodeTerminalResponse({ replySerial: header.serial, replyId: header.msgId, result: TerminalResult.ok }))
          this.onText?.(m)
          break
        }
        case MsgId.locationQuery: {
          const here = this.whereAmI?.()
          if (here) this.send(MsgId.locationQueryResponse, encodeLocationQueryResponse(header.serial, here))
          break
        }
        default:
          this.handlers.get(header.msgId)?.(header, body)
      }
    }
  }
}
