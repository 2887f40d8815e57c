/** Joins subpackaged messages (header packet fields set) back into one body. */
import type { Header } from './header.ts'

export interface ReassemblerOptions {
  /** partial messages held at once; past it the least recently active one is dropped */
  maxPending?: number
  /** body bytes held across all partial messages */
  maxBytes?: number
  /** a partial message that receives no packet for this long is dropped */
  timeoutMs?: number
  onDrop?: (drop: ReassemblyDrop) => void
}

export interface ReassemblyDrop {
  reason: 'timeout' | 'limit'
  phone: string
  msgId: number
  total: number
  received: number
  /** serial of packet 1, which the platform needs to ask for the missing ones (0x8003) */
  firstSerial: number
}

export interface PendingMessage {
  firstSerial: number
  total: number
  /** 1-based packet indices not received, in order */
  missing: number[]
}

function describe(p: Pending): PendingMessage {
  const missing: number[] = []
  for (let i = 0; i < p.total; i++) if (!p.parts[i]) missing.push(i + 1)
  return { firstSerial: p.firstSerial, total: p.total, missing }
}

interface Pending {
  phone: string
  msgId: number
  total: number
  firstSerial: number
  parts: (Buffer | undefined)[]
  received: number
  bytes: number
  lastSeen: number
}

/**
 * One per connection. Packets of one message carry consecutive serials, so packet `index`
 * with serial s belongs to the message whose packet 1 had serial s - (index - 1): that, with
 * phone, msgId and total, tells apart two messages of the same kind in flight.
 */
export class Reassembler {
  readonly maxPending: number
  readonly maxBytes: number
  readonly timeoutMs: number
  readonly stats = { completed: 0, duplicates: 0, timedOut: 0, limitDropped: 0 }
  private readonly onDrop?: (drop: ReassemblyDrop) => void
  // Map order is insertion order; re-inserting on activity keeps the least active first.
  private pending = new Map<string, Pending>()
  private bytes = 0

  constructor(opts: ReassemblerOptions = {}) {
    this.maxPending = opts.maxPending ?? 16
    this.maxBytes = opts.maxBytes ?? 1 << 20
    this.timeoutMs = opts.timeoutMs ?? 60_000
    this.onDrop = opts.onDrop
    if (!(this.maxPending >= 1) || !(this.maxBytes >= 1) || !(this.timeoutMs > 0)) {
      throw new RangeError('maxPending, maxBytes and timeoutMs must be positive')
    }
  }

  get pendingMessages(): number { return this.pending.size }
  get pendingBytes(): number { return this.bytes }

  /**
   * The whole body once every packet is in, else null. A message that was not subpackaged
   * is returned as it is.
   */
  push(header: Header, body: Buffer, now: number): Buffer | null {
    this.sweep(now)
    const packet = header.packet
    if (!packet) return body
    const { total, index } = packet
    if (total < 1 || index < 1 || index > total) return null
    if (total === 1) { this.stats.completed++; return body }
    const firstSerial = (header.serial - (index - 1)) & 0xffff
    const key = `${header.phone}/${header.msgId}/${total}/${firstSerial}`
    let p = this.pending.get(key)
    if (p) {
      this.pending.delete(key)
    } else {
      p = { phone: header.phone, msgId: header.msgId, total, firstSerial, parts: new Array(total), received: 0, bytes: 0, lastSeen: now }
      while (this.pending.size >= this.maxPending) this.dropOldest()
    }
    p.lastSeen = now
    this.pending.set(key, p)
    if (p.parts[index - 1]) {
      this.stats.duplicates++
      return null
    }
    while (this.bytes + body.length > this.maxBytes && this.pending.size > 1) this.dropOldest(key)
    if (this.bytes + body.length > this.maxBytes) {
      this.drop(key, p, 'limit')
      return null
    }
    // Copied: the packet may be a view into a larger receive buffer.
    p.parts[index - 1] = Buffer.from(body)
    p.received++
    p.bytes += body.length
    this.bytes += body.length
    if (p.received < total) return null
    this.pending.delete(key)
    this.bytes -= p.bytes
    this.stats.completed++
    return Buffer.concat(p.parts as Buffer[], p.bytes)
  }

  /**
   * What is still missing of the message a packet belongs to (the platform lists it in 0x8800
   * or asks for it with 0x8003); null when that message is not pending (whole, or dropped).
   */
  missing(header: Header): PendingMessage | null {
    const packet = header.packet
    if (!packet) return null
    const firstSerial = (header.serial - (packet.index - 1)) & 0xffff
    const p = this.pending.get(`${header.phone}/${header.msgId}/${packet.total}/${firstSerial}`)
    return p ? describe(p) : null
  }

  /** Partial messages that received no packet for idleMs (oldest activity first). */
  stalled(now: number, idleMs: number): (PendingMessage & { msgId: number })[] {
    const out: (PendingMessage & { msgId: number })[] = []
    for (const p of this.pending.values()) {
      if (now - p.lastSeen < idleMs) break
      out.push({ ...describe(p), msgId: p.msgId })
    }
    return out
  }

  /** Drops partial messages idle past the timeout; push calls it too. */
  sweep(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.lastSeen < this.timeoutMs) break
      this.drop(key, p, 'timeout')
    }
  }

  private dropOldest(except?: string): void {
    for (const [key, p] of this.pending) {
      if (key === except) continue
      this.drop(key, p, 'limit')
      return
    }
  }

  private drop(key: string, p: Pending, reason: ReassemblyDrop['reason']): void {
    this.pending.delete(key)
    this.bytes -= p.bytes
    if (reason === 'timeout') this.stats.timedOut++
    else this.stats.limitDropped++
    this.onDrop?.({ reason, phone: p.phone, msgId: p.msgId, total: p.total, received: p.received, firstSerial: p.firstSerial })
  }
}
