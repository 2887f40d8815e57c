import iconv from 'iconv-lite'
import { FrameError } from './frame.ts'

/** Sequential big-endian reads; running off the end is the peer's fault, hence a FrameError. */
export class Reader {
  private pos = 0
  constructor(private readonly buf: Buffer, private readonly what = 'body') {}

  get offset(): number { return this.pos }
  get remaining(): number { return this.buf.length - this.pos }

  private need(n: number): number {
    if (this.pos + n > this.buf.length) {
      throw new FrameError('truncated', `${this.what} ends at byte ${this.buf.length}, needs ${this.pos + n}`)
    }
    const at = this.pos
    this.pos += n
    return at
  }

  u8(): number { return this.buf[this.need(1)] }
  u16(): number { return this.buf.readUInt16BE(this.need(2)) }
  u32(): number { return this.buf.readUInt32BE(this.need(4)) }
  bytes(n: number): Buffer { const at = this.need(n); return this.buf.subarray(at, at + n) }
  rest(): Buffer { return this.bytes(this.remaining) }
}

export const gbkDecode = (b: Uint8Array): string => iconv.decode(Buffer.from(b), 'gbk')
export const gbkEncode = (s: string): Buffer => iconv.encode(s, 'gbk')

/**
 * A fixed-width text field as terminals fill it: the standard pads with 0x00 on the right,
 * some devices pad with spaces, a few put the NULs on the left.
 */
export function paddedText(b: Uint8Array): string {
  let start = 0
  let end = b.length
  while (start < end && b[start] === 0x00) start++
  while (end > start && (b[end - 1] === 0x00 || b[end - 1] === 0x20)) end--
  return gbkDecode(b.subarray(start, end))
}

/** GBK text right-padded with 0x00 to `width` bytes; longer text is refused, not cut mid-character. */
export function fixedText(text: string, width: number, field: string): Buffer {
  const enc = gbkEncode(text)
  if (enc.length > width) throw new RangeError(`${field} is ${enc.length} bytes in GBK, at most ${width} fit`)
  const out = Buffer.alloc(width)
  enc.copy(out)
  return out
}

export function u8(n: number, field: string): Buffer {
  checkUint(n, 0xff, field)
  return Buffer.of(n)
}

export function u16(n: number, field: string): Buffer {
  checkUint(n, 0xffff, field)
  const b = Buffer.allocUnsafe(2)
  b.writeUInt16BE(n)
  return b
}

export function u32(n: number, field: string): Buffer {
  checkUint(n, 0xffffffff, field)
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32BE(n)
  return b
}

function checkUint(n: number, max: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${field} must be an integer in [0, ${max}], got ${n}`)
}
