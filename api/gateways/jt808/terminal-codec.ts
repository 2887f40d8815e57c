/**
 * What a JT/T 808 terminal sends: body encoders for the terminal client (terminal-client.ts)
 * that the gateway's tests, the simulator and the benchmark drive. The platform itself never
 * encodes these; they sit beside its codec so both directions are kept in step.
 */
import { fixedText, gbkEncode, u16, u32, u8 } from './bytes.ts'
import type { Edition } from './header.ts'
import {
  LocationItem, type LocationExtras, type LocationItemName, type RawItem, StatusBit,
} from './location.ts'
import {
  AUTH_WIDTHS, type Authentication, REGISTRATION_WIDTHS, type Registration, type Response,
} from './messages.ts'
import { isoToBcdTime } from './time.ts'

/** What encodeLocation needs; a decoded Location is one. */
export interface LocationInput {
  alarm?: number
  /** bits 2 and 3 (south, west) are set from the signs of lat and lon */
  status?: number
  lat: number
  lon: number
  altitudeM?: number
  speedKmh?: number
  direction?: number
  /** null sends the all-zero time of a terminal without a fix */
  time: string | Date | null
  extras?: LocationExtras
  /** sent as they are, after the extras */
  otherItems?: RawItem[]
}

export interface BatchLocationInput {
  /** 0 regular batch, 1 blind-zone re-upload */
  type: number
  locations: LocationInput[]
}

export const encodeTerminalResponse = (r: Response): Buffer =>
  Buffer.concat([u16(r.replySerial, 'replySerial'), u16(r.replyId, 'replyId'), u8(r.result, 'result')])

export const encodeHeartbeat = (): Buffer => Buffer.alloc(0)
export const encodeLogout = (): Buffer => Buffer.alloc(0)

export function encodeRegistration(reg: Registration, edition: Edition): Buffer {
  const w = REGISTRATION_WIDTHS[edition]
  return Buffer.concat([
    u16(reg.province, 'province'),
    u16(reg.city, 'city'),
    fixedText(reg.makerId, w.makerId, 'makerId'),
    fixedText(reg.model, w.model, 'model'),
    fixedText(reg.terminalId, w.terminalId, 'terminalId'),
    u8(reg.plateColor, 'plateColor'),
    gbkEncode(reg.plate),
  ])
}

export function encodeAuthentication(auth: Authentication, edition: Edition): Buffer {
  const code = gbkEncode(auth.authCode)
  if (edition === 2013) return code
  return Buffer.concat([
    u8(code.length, 'authCode length'),
    code,
    fixedText(auth.imei ?? '', AUTH_WIDTHS.imei, 'imei'),
    fixedText(auth.softwareVersion ?? '', AUTH_WIDTHS.softwareVersion, 'softwareVersion'),
  ])
}

const SOUTH = 1 << StatusBit.south
const WEST = 1 << StatusBit.west

function scaled(value: number, scale: number, field: string): number {
  const n = Math.round(value * scale)
  if (!Number.isFinite(n)) throw new RangeError(`${field} is not a number`)
  return n
}

function item(id: number, value: Buffer): Buffer {
  u8(id, 'location item id')
  if (value.length > 0xff) throw new RangeError(`location item 0x${id.toString(16)} is ${value.length} bytes, at most 255 fit`)
  return Buffer.concat([Buffer.of(id, value.length), value])
}

export function encodeLocation(loc: LocationInput): Buffer {
  let status = ((loc.status ?? 0) & ~(SOUTH | WEST)) >>> 0
  if (loc.lat < 0) status = (status | SOUTH) >>> 0
  if (loc.lon < 0) status = (status | WEST) >>> 0
  const parts = [
    u32(loc.alarm ?? 0, 'alarm'),
    u32(status, 'status'),
    u32(scaled(Math.abs(loc.lat), 1e6, 'lat'), 'lat'),
    u32(scaled(Math.abs(loc.lon), 1e6, 'lon'), 'lon'),
    u16(loc.altitudeM ?? 0, 'altitudeM'),
    u16(scaled(loc.speedKmh ?? 0, 10, 'speedKmh'), 'speedKmh'),
    u16(loc.direction ?? 0, 'direction'),
    isoToBcdTime(loc.time),
  ]
  for (const name of Object.keys(LocationItem) as LocationItemName[]) {
    const value = loc.extras?.[name]
    if (value === undefined) continue
    const d = LocationItem[name]
    const raw = scaled(value, d.scale, name)
    const bytes = d.bytes === 1 ? u8(raw, name) : d.bytes === 2 ? u16(raw, name) : u32(raw, name)
    parts.push(item(d.id, bytes))
  }
  for (const other of loc.otherItems ?? []) parts.push(item(other.id, Buffer.from(other.hex, 'hex')))
  return Buffer.concat(parts)
}

export function encodeBatchLocation(batch: BatchLocationInput): Buffer {
  const parts = [u16(batch.locations.length, 'count'), u8(batch.type, 'type')]
  for (const loc of batch.locations) {
    const body = encodeLocation(loc)
    parts.push(u16(body.length, 'location length'), body)
  }
  return Buffer.concat(parts)
}

export const encodeLocationQueryResponse = (replySerial: number, loc: LocationInput): Buffer =>
  Buffer.concat([u16(replySerial, 'replySerial'), encodeLocation(loc)])

