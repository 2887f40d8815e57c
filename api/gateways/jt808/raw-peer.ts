import { connect, type Socket } from 'node:net'
import { FrameSplitter } from './frame.ts'
import { decodeFrame, encodeMessage, type Edition, type Header } from './header.ts'
import { MsgId } from './ids.ts'
import { encodeRegistration } from './terminal-codec.ts'

/**
 * A bare TCP peer of the gateway for tests: writes whatever it is given (many terminal IDs on
 * one connection, garbage, pipelined frames), collects the platform's frames and notes when
 * the gateway closes the connection. Terminal behaviour is Jt808Terminal's.
 */
export class RawPeer {
  readonly received: { header: Header; body: Buffer }[] = []
  closed = false
  private readonly splitter = new FrameSplitter()
  private readonly ended: Promise<void>
  private serial = 0

  private constructor(readonly socket: Socket) {
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      for (const raw of this.splitter.push(chunk)) {
        try {
          this.received.push(decodeFrame(raw))
        } catch {
          // a test peer reads only what decodes
        }
      }
    })
    this.ended = new Promise((resolve) => socket.once('close', () => ((this.closed = true), resolve())))
  }

  static open(port: number, localAddress?: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress })
      socket.once('error', reject)
      socket.once('connect', () => resolve(new RawPeer(socket)))
    })
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes)
  }

  /** A registration (0x0100) of any terminal ID; returns its serial. */
  register(phone: string, edition: Edition = 2013): number {
    const serial = this.serial++
    this.write(encodeMessage({ msgId: MsgId.registration, edition, phone, serial }, encodeRegistration({
      province: 37, city: 1300, makerId: 'X', model: 'X', terminalId: 'X', plateColor: 1, plate: '鲁Q00000',
    }, edition)))
    return serial
  }

  /** Resolves with the reply to `serial` (its msgId), or null once the connection is closed without one. */
  async reply(msgId: number, serial: number, timeoutMs = 5000): Promise<{ header: Header; body: Buffer } | null> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.find((r) => r.header.msgId === msgId && r.body.readUInt16BE(0) === serial)
      if (found) return found
      if (this.closed) return null
      if (Date.now() > end) throw new Error(`no reply 0x${msgId.toString(16)} to serial ${serial} within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** Resolves when the gateway (or the test) has closed the connection; false after timeoutMs. */
  whenClosed(timeoutMs = 5000): Promise<boolean> {
    return Promise.race([this.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))])
  }

  close(): void {
    this.socket.destroy()
  }
}
