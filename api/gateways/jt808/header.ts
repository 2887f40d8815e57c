/**
 * Message header (2013 and 2019 editions) and whole-message encode/decode on top of the framing.
 */
import { FLAG, FrameError, MAX_ESCAPED_FRAME, checkCode, encodeFrame, unescape } from './frame.ts'

export type Edition = 2013 | 2019

export interface Packet {
  total: number
  /** 1-based */
  index: number
}

export interface Header {
  msgId: number
  bodyLength: number
  /** body RSA-encrypted (properties bit 10) */
  encrypted: boolean
  /** the layout the header was read with */
  edition: Edition
  /**
   * properties bit 14 as sent; normally edition === 2019, but some terminals set it and still
   * send the 2013 layout (see decodeHeader)
   */
  versionFlag: boolean
  /** 2019 only */
  protocolVersion?: number
  /** the BCD digits exactly as sent, leading zeros kept: 12 (2013) or 20 (2019) */
  phone: string
  serial: number
  packet?: Packet
}

export interface HeaderInput {
  msgId: number
  edition: Edition
  /** digits only; left-padded with zeros to 12 (2013) or 20 (2019) */
  phone: string
  serial: number
  /** 2019 only; defaults to 1, the first version of the 2019 edition */
  protocolVersion?: number
  packet?: Packet
  encrypted?: boolean
}

export interface Message {
  header: Header
  body: Buffer
}

/** bits 0-9 of the properties word */
export const MAX_BODY_LENGTH = 0x3ff

const PROP_RSA = 1 << 10
const PROP_SUBPACKAGE = 1 << 13
const PROP_VERSION = 1 << 14
const PHONE_BYTES = { 2013: 6, 2019: 10 } as const

/** header bytes for an edition, with or without the packet fields */
export const headerLength = (edition: Edition, subpackaged: boolean): number =>
  (edition === 2019 ? 17 : 12) + (subpackaged ? 4 : 0)

/** Hex of the bytes: decimal digits for well-formed BCD, and lossless for the rest. */
export const bcdToString = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

export function stringToBcd(digits: string, bytes: number): Buffer {
  if (!/^[0-9]*$/.test(digits)) throw new RangeError(`BCD needs decimal digits, got "${digits}"`)
  if (digits.length > bytes * 2) throw new RangeError(`"${digits}" has more than ${bytes * 2} digits`)
  return Buffer.from(digits.padStart(bytes * 2, '0'), 'hex')
}

/**
 * Reads the header off an unescaped message (check code already removed) and splits off the
 * body. The layout follows the version flag, with one exception: a frame whose flag is set but
 * whose length only works out with the 2013 layout is read as 2013, because terminals that
 * set the flag on 2013 headers exist (SmallChi/JT808 calls this "JTT2013Force").
 */
export function decodeHeader(msg: Buffer): Message {
  if (msg.length < 4) throw new FrameError('truncated', `message of ${msg.length} bytes has no header`)
  const msgId = msg.readUInt16BE(0)
  const props = msg.readUInt16BE(2)
  const bodyLength = props & MAX_BODY_LENGTH
  const subpackaged = (props & PROP_SUBPACKAGE) !== 0
  const versionFlag = (props & PROP_VERSION) !== 0
  const fits = (edition: Edition) => msg.length === headerLength(edition, subpackaged) + bodyLength
  let edition: Edition = versionFlag ? 2019 : 2013
  if (versionFlag && !fits(2019) && fits(2013)) edition = 2013
  const hlen = headerLength(edition, subpackaged)
  if (msg.length < hlen) throw new FrameError('truncated', `${msg.length} bytes, a ${edition} header needs ${hlen}`)
  if (!fits(edition)) {
    throw new FrameError('badBodyLength', `header says ${bodyLength} body bytes, the frame has ${msg.length - hlen}`)
  }
  let pos = 4
  let protocolVersion: number | undefined
  if (edition === 2019) protocolVersion = msg[pos++]
  const phoneBytes = PHONE_BYTES[edition]
  const phone = bcdToString(msg.subarray(pos, pos + phoneBytes))
  pos += phoneBytes
  const serial = msg.readUInt16BE(pos)
  pos += 2
  let packet: Packet | undefined
  if (subpackaged) {
    const total = msg.readUInt16BE(pos)
    const index = msg.readUInt16BE(pos + 2)
    pos += 4
    if (total === 0 || index === 0 || index > total) {
      throw new FrameError('badPacket', `packet ${index} of ${total}`)
    }
    packet = { total, index }
  }
  const header: Header = { msgId, bodyLength, encrypted: (props & PROP_RSA) !== 0, edition, versionFlag, phone, serial }
  if (protocolVersion !== undefined) header.protocolVersion = protocolVersion
  if (packet) header.packet = packet
  return { header, body: msg.subarray(pos) }
}

/**
 * One raw frame as FrameSplitter yields it (escaped content, no 0x7e), or with its 0x7e
 * delimiters (a UDP datagram, a hex dump): unescaped, check code verified, header parsed.
 */
export function decodeFrame(raw: Uint8Array): Message {
  let start = 0
  let end = raw.length
  if (end > 0 && raw[0] === FLAG) start++
  if (end > start && raw[end - 1] === FLAG) end--
  if (end === start) throw new FrameError('empty', 'frame has no content')
  if (end - start > MAX_ESCAPED_FRAME) {
    throw new FrameError('oversized', `${end - start} escaped bytes, at most ${MAX_ESCAPED_FRAME} are possible`)
  }
  const msg = unescape(raw.subarray(start, end))
  const content = msg.subarray(0, msg.length - 1)
  const want = checkCode(content)
  if (want !== msg[msg.length - 1]) {
    throw new FrameError('badCheckCode', `check code 0x${msg[msg.length - 1].toString(16)}, computed 0x${want.toString(16)}`)
  }
  return decodeHeader(content)
}

export function encodeHeader(h: HeaderInput, bodyLength: number): Buffer {
  checkWord(h.msgId, 'msgId')
  checkWord(h.serial, 'serial')
  if (!Number.isInteger(bodyLength) || bodyLength < 0 || bodyLength > MAX_BODY_LENGTH) {
    throw new RangeError(`body of ${bodyLength} bytes: at most ${MAX_BODY_LENGTH} fit in one message, subpackage it`)
  }
  const out = Buffer.alloc(headerLength(h.edition, h.packet !== undefined))
  out.writeUInt16BE(h.msgId, 0)
  let props = bodyLength
  if (h.encrypted) props |= PROP_RSA
  if (h.packet) props |= PROP_SUBPACKAGE
  if (h.edition === 2019) props |= PROP_VERSION
  out.writeUInt16BE(props, 2)
  let pos = 4
  if (h.edition === 2019) {
    const v = h.protocolVersion ?? 1
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`protocolVersion must be a byte, got ${v}`)
    out[pos++] = v
  }
  const phoneBytes = PHONE_BYTES[h.edition]
  stringToBcd(h.phone, phoneBytes).copy(out, pos)
  pos += phoneBytes
  out.writeUInt16BE(h.serial, pos)
  pos += 2
  if (h.packet) {
    const { total, index } = h.packet
    checkWord(total, 'packet.total')
    checkWord(index, 'packet.index')
    if (total < 1 || index < 1 || index > total) throw new RangeError(`packet ${index} of ${total}`)
    out.writeUInt16BE(total, pos)
    out.writeUInt16BE(index, pos + 2)
  }
  return out
}

/** A complete frame, 0x7e to 0x7e. Bodies over 1023 bytes throw: use encodeSubpackaged. */
export function encodeMessage(h: HeaderInput, body: Uint8Array = Buffer.alloc(0)): Buffer {
  return encodeFrame(Buffer.concat([encodeHeader(h, body.length), body]))
}

/**
 * A body cut into packets of at most `maxPacketBody` bytes, serials h.serial, h.serial + 1, ...
 * (wrapping at 65536). A body that fits in one message is sent as one, without packet fields;
 * the number of frames returned is the number of serials used.
 */
export function encodeSubpackaged(h: Omit<HeaderInput, 'packet'>, body: Uint8Array, maxPacketBody = MAX_BODY_LENGTH): Buffer[] {
  if (!Number.isInteger(maxPacketBody) || maxPacketBody < 1 || maxPacketBody > MAX_BODY_LENGTH) {
    throw new RangeError(`maxPacketBody must be in [1, ${MAX_BODY_LENGTH}], got ${maxPacketBody}`)
  }
  if (body.length <= maxPacketBody) return [encodeMessage(h, body)]
  const total = Math.ceil(body.length / maxPacketBody)
  if (total > 0xffff) throw new RangeError(`body of ${body.length} bytes needs ${total} packets, at most 65535 exist`)
  checkWord(h.serial, 'serial')
  const frames: Buffer[] = []
  for (let i = 0; i < total; i++) {
    const part = body.subarray(i * maxPacketBody, (i + 1) * maxPacketBody)
    frames.push(encodeMessage({ ...h, serial: (h.serial + i) & 0xffff, packet: { total, index: i + 1 } }, part))
  }
  return frames
}

function checkWord(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`${field} must be an integer in [0, 65535], got ${n}`)
}
