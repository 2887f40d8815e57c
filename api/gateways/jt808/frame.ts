/**
 * JT/T 808 framing: 0x7e delimiters, the 0x7d escape and the XOR check code.
 * Nothing here knows about headers or bodies.
 */

export const FLAG = 0x7e
const ESC = 0x7d

export type FrameErrorReason =
  | 'empty'
  | 'badEscape'
  | 'badCheckCode'
  | 'truncated'
  | 'oversized'
  | 'badBodyLength'
  | 'badPacket'

/** A frame the peer sent that cannot be decoded; `reason` is stable for metrics and tests. */
export class FrameError extends Error {
  override readonly name = 'FrameError'
  constructor(readonly reason: FrameErrorReason, message: string) {
    super(message)
  }
}

/**
 * Largest legitimate frame content between the delimiters, escaped: a 2019 subpackaged header
 * (21 bytes) + the largest body the 10-bit length allows (1023) + the check code, every byte
 * doubled by escaping.
 */
export const MAX_ESCAPED_FRAME = 2 * (21 + 1023 + 1)

export function checkCode(buf: Uint8Array): number {
  let x = 0
  for (let i = 0; i < buf.length; i++) x ^= buf[i]
  return x
}

export function escape(body: Uint8Array): Buffer {
  let extra = 0
  for (let i = 0; i < body.length; i++) if (body[i] === FLAG || body[i] === ESC) extra++
  const out = Buffer.allocUnsafe(body.length + extra)
  let o = 0
  for (let i = 0; i < body.length; i++) {
    const b = body[i]
    if (b === FLAG) { out[o++] = ESC; out[o++] = 0x02 }
    else if (b === ESC) { out[o++] = ESC; out[o++] = 0x01 }
    else out[o++] = b
  }
  return out
}

/** Content between the delimiters, without them. */
export function unescape(raw: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(raw.length)
  let o = 0
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]
    if (b === FLAG) throw new FrameError('badEscape', `bare 0x7e at offset ${i}`)
    if (b !== ESC) { out[o++] = b; continue }
    const next = raw[i + 1]
    if (next === 0x01) out[o++] = ESC
    else if (next === 0x02) out[o++] = FLAG
    else throw new FrameError('badEscape', next === undefined ? '0x7d at the end of the frame' : `0x7d followed by 0x${next.toString(16).padStart(2, '0')} at offset ${i}`)
    i++
  }
  return out.subarray(0, o)
}

/** Header and body in, a complete frame out: check code appended, escaped, 0x7e on both ends. */
export function encodeFrame(headerAndBody: Uint8Array): Buffer {
  const withCheck = Buffer.allocUnsafe(headerAndBody.length + 1)
  withCheck.set(headerAndBody, 0)
  withCheck[headerAndBody.length] = checkCode(headerAndBody)
  const escaped = escape(withCheck)
  const out = Buffer.allocUnsafe(escaped.length + 2)
  out[0] = FLAG
  escaped.copy(out, 1)
  out[out.length - 1] = FLAG
  return out
}

export interface FrameDrop {
  /**
   * 'junk': bytes before the first 0x7e; 'oversized': a frame grew past maxFrameBytes (its
   * bytes up to the next 0x7e are discarded too, counted in stats.oversizedBytes only)
   */
  reason: 'junk' | 'oversized'
  bytes: number
}

export interface FrameSplitterOptions {
  /** escaped content bytes a frame may have before it is dropped */
  maxFrameBytes?: number
  onDrop?: (drop: FrameDrop) => void
}

/**
 * Cuts a TCP byte stream into raw frames (escaped content between two 0x7e). Holds at most
 * maxFrameBytes of a partial frame: a peer that never sends a delimiter cannot make it grow.
 */
export class FrameSplitter {
  /** may be raised while running: a connection is allowed longer frames once authenticated */
  maxFrameBytes: number
  /** totals since construction, for metrics */
  readonly stats = { frames: 0, oversized: 0, junkBytes: 0, oversizedBytes: 0 }
  private readonly onDrop?: (drop: FrameDrop) => void
  private synced = false
  private discarding = false
  private parts: Buffer[] = []
  private partBytes = 0

  constructor(opts: FrameSplitterOptions = {}) {
    this.maxFrameBytes = opts.maxFrameBytes ?? MAX_ESCAPED_FRAME
    if (!(this.maxFrameBytes >= 1)) throw new RangeError('maxFrameBytes must be at least 1')
    this.onDrop = opts.onDrop
  }

  /** bytes of the partial frame being held */
  get pendingBytes(): number {
    return this.partBytes
  }

  push(chunk: Uint8Array): Buffer[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const frames: Buffer[] = []
    let pos = 0
    if (!this.synced) {
      const start = buf.indexOf(FLAG)
      const junk = start < 0 ? buf.length : start
      if (junk > 0) this.drop('junk', junk)
      if (start < 0) return frames
      this.synced = true
      pos = start + 1
    }
    while (pos < buf.length) {
      const end = buf.indexOf(FLAG, pos)
      const stop = end < 0 ? buf.length : end
      this.take(buf.subarray(pos, stop))
      if (end < 0) break
      this.close(frames)
      pos = end + 1
    }
    return frames
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return
    if (this.discarding) { this.stats.oversizedBytes += piece.length; return }
    if (this.partBytes + piece.length > this.maxFrameBytes) {
      // Reported now rather than at the next 0x7e: a peer that never sends one must still show up.
      const bytes = this.partBytes + piece.length
      this.discarding = true
      this.parts = []
      this.partBytes = 0
      this.stats.oversized++
      this.stats.oversizedBytes += bytes
      this.onDrop?.({ reason: 'oversized', bytes })
      return
    }
    // Copied: the caller may reuse its chunk buffer once push returns.
    this.parts.push(Buffer.from(piece))
    this.partBytes += piece.length
  }

  private close(frames: Buffer[]): void {
    if (this.discarding) { this.discarding = false; return }
    if (this.partBytes === 0) return
    frames.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes))
    this.stats.frames++
    this.parts = []
    this.partBytes = 0
  }

  private drop(reason: 'junk', bytes: number): void {
    this.stats.junkBytes += bytes
    this.onDrop?.({ reason, bytes })
  }
}
