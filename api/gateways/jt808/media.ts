/**
 * Camera snapshots and multimedia upload (JT/T 808 §8.54-8.58): what the terminal sends
 * (0x0800 event, 0x0801 data, 0x0805 answer to a snapshot) and what the platform sends
 * (0x8801 take a photo, 0x8800 answer to an upload, 0x8003 ask for lost packets). The
 * layouts are the same in 2013 and 2019 except 0x8003, whose count grew to a WORD in 2019.
 */
import { Reader, u16, u32, u8 } from './bytes.ts'
import { FrameError } from './frame.ts'
import type { Edition } from './header.ts'
import { decodeLocation, type Location } from './location.ts'

/** 0x0800/0x0801 multimedia type */
export const MediaType = { image: 0, audio: 1, video: 2 } as const
/** 0x0800/0x0801 format code */
export const MediaFormat = { jpeg: 0, tif: 1, mp3: 2, wav: 3, wmv: 4 } as const
/** 0x0800/0x0801 event code (2013 table 80): why the terminal took it */
export const MediaEvent = {
  platformCommand: 0,
  timed: 1,
  robberyAlarm: 2,
  collisionRollover: 3,
  doorOpen: 4,
  doorClose: 5,
  doorClosedAtSpeed: 6,
  fixedDistance: 7,
} as const

/** the header of a multimedia item, in 0x0800 and at the start of 0x0801 */
export interface MediaHeader {
  mediaId: number
  type: number
  format: number
  event: number
  channel: number
}

export interface MediaData extends MediaHeader {
  location: Location
  data: Buffer
}

export interface CameraResponse {
  replySerial: number
  /** 0 ok, 1 failed, 2 channel not supported */
  result: number
  mediaIds: number[]
}

/** 0x8801 */
export interface SnapshotCommand {
  channel: number
  /** 0 stop; 0xffff record video; otherwise photos to take */
  command: number
  /** seconds between photos, or video length */
  intervalS: number
  /** 1 keep on the terminal, 0 upload at once */
  save: number
  /** 1 320×240, 2 640×480, 3 800×600, 4 1024×768, 5 176×144, 6 352×288, 7 704×288, 8 704×576 */
  resolution: number
  /** 1 best … 10 smallest */
  quality: number
  brightness: number
  contrast: number
  saturation: number
  chroma: number
}

/** 0x8800 */
export interface MediaUploadResponse {
  mediaId: number
  /** packet indices to send again; empty: received whole */
  missing: number[]
}

/** 0x8003 */
export interface ResendRequest {
  /** serial of the first packet of the message */
  firstSerial: number
  missing: number[]
}

export const CameraResult = { ok: 0, failed: 1, channelUnsupported: 2 } as const

const readMediaHeader = (r: Reader): MediaHeader => ({ mediaId: r.u32(), type: r.u8(), format: r.u8(), event: r.u8(), channel: r.u8() })

export function decodeMediaEvent(body: Buffer): MediaHeader {
  const r = new Reader(body, '0x0800 body')
  const h = readMediaHeader(r)
  if (r.remaining) throw new FrameError('badBodyLength', `0x0800 has ${r.remaining} bytes after its 8`)
  return h
}

/** The whole (reassembled) 0x0801: the header, the 28-byte location when the photo was taken, then the file. */
export function decodeMediaData(body: Buffer): MediaData {
  const r = new Reader(body, '0x0801 body')
  const h = readMediaHeader(r)
  const location = decodeLocation(r.bytes(28))
  return { ...h, location, data: r.rest() }
}

export function decodeCameraResponse(body: Buffer): CameraResponse {
  const r = new Reader(body, '0x0805 body')
  const replySerial = r.u16()
  const result = r.u8()
  // a failure may stop after the result byte
  if (r.remaining === 0) return { replySerial, result, mediaIds: [] }
  const n = r.u16()
  const mediaIds: number[] = []
  for (let i = 0; i < n; i++) mediaIds.push(r.u32())
  return { replySerial, result, mediaIds }
}

export function encodeSnapshotCommand(c: SnapshotCommand): Buffer {
  return Buffer.concat([
    u8(c.channel, 'channel'), u16(c.command, 'command'), u16(c.intervalS, 'intervalS'), u8(c.save, 'save'),
    u8(c.resolution, 'resolution'), u8(c.quality, 'quality'), u8(c.brightness, 'brightness'), u8(c.contrast, 'contrast'),
    u8(c.saturation, 'saturation'), u8(c.chroma, 'chroma'),
  ])
}

/** One photo now, uploaded at once, 640×480, good quality, neutral picture settings. */
export const snapshotOf = (channel: number): SnapshotCommand => ({
  channel, command: 1, intervalS: 0, save: 0, resolution: 2, quality: 5, brightness: 128, contrast: 64, saturation: 64, chroma: 128,
})

/**
 * A whole upload is answered with the media ID alone, as go-jt808 and SmallChi/JT808 answer
 * (2013 layout); a list of missing packets carries its count byte first.
 */
export function encodeMediaUploadResponse(m: MediaUploadResponse): Buffer {
  if (!m.missing.length) return u32(m.mediaId, 'mediaId')
  if (m.missing.length > 0xff) throw new RangeError(`${m.missing.length} missing packets: at most 255 fit in one 0x8800`)
  return Buffer.concat([u32(m.mediaId, 'mediaId'), u8(m.missing.length, 'count'), ...m.missing.map((i) => u16(i, 'packet'))])
}

export function encodeResendRequest(m: ResendRequest, edition: Edition): Buffer {
  const count = edition === 2019 ? u16(m.missing.length, 'count') : u8(m.missing.length, 'count')
  return Buffer.concat([u16(m.firstSerial, 'firstSerial'), count, ...m.missing.map((i) => u16(i, 'packet'))])
}

// The other direction, for the terminal client (simulator, tests).

export function decodeSnapshotCommand(body: Buffer): SnapshotCommand {
  const r = new Reader(body, '0x8801 body')
  return {
    channel: r.u8(), command: r.u16(), intervalS: r.u16(), save: r.u8(), resolution: r.u8(), quality: r.u8(),
    brightness: r.u8(), contrast: r.u8(), saturation: r.u8(), chroma: r.u8(),
  }
}

/** Reads both answers in use: the 4-byte one to a whole upload, and the one with a count (0 or more). */
export function decodeMediaUploadResponse(body: Buffer): MediaUploadResponse {
  const r = new Reader(body, '0x8800 body')
  const mediaId = r.u32()
  if (r.remaining === 0) return { mediaId, missing: [] }
  const n = r.u8()
  const missing: number[] = []
  for (let i = 0; i < n; i++) missing.push(r.u16())
  return { mediaId, missing }
}

export function decodeResendRequest(body: Buffer, edition: Edition): ResendRequest {
  const r = new Reader(body, '0x8003 body')
  const firstSerial = r.u16()
  const n = edition === 2019 ? r.u16() : r.u8()
  const missing: number[] = []
  for (let i = 0; i < n; i++) missing.push(r.u16())
  return { firstSerial, missing }
}

const mediaHeaderBytes = (h: MediaHeader) =>
  [u32(h.mediaId, 'mediaId'), u8(h.type, 'type'), u8(h.format, 'format'), u8(h.event, 'event'), u8(h.channel, 'channel')]

export const encodeMediaEvent = (h: MediaHeader): Buffer => Buffer.concat(mediaHeaderBytes(h))

/** location: the 28 bytes of a location body without extra items (encodeLocation with none) */
export function encodeMediaData(h: MediaHeader, location: Buffer, data: Buffer): Buffer {
  if (location.length !== 28) throw new RangeError(`0x0801 carries the 28-byte location without extra items, got ${location.length}`)
  return Buffer.concat([...mediaHeaderBytes(h), location, data])
}

export function encodeCameraResponse(c: CameraResponse): Buffer {
  return Buffer.concat([
    u16(c.replySerial, 'replySerial'), u8(c.result, 'result'), u16(c.mediaIds.length, 'count'), ...c.mediaIds.map((id) => u32(id, 'mediaId')),
  ])
}
