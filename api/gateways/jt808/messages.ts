/**
 * Bodies the gateway handles: decoders for what terminals send, encoders for what the platform
 * answers. The inverse directions live in platform-decoders.ts and terminal-codec.ts (for the
 * terminal client that tests and the simulator drive).
 */
import { Reader, gbkDecode, gbkEncode, paddedText, u16, u8 } from './bytes.ts'
import { FrameError } from './frame.ts'
import type { Edition, Header } from './header.ts'
import { FleetMsgId, MsgId } from './ids.ts'
import { type Location, decodeLocation } from './location.ts'
import { type CameraResponse, type MediaData, type MediaHeader, decodeCameraResponse, decodeMediaData, decodeMediaEvent } from './media.ts'
import { type ParametersResponse, decodeParametersResponse } from './parameters.ts'

/** 0x0001 result */
export const TerminalResult = { ok: 0, failure: 1, messageError: 2, unsupported: 3 } as const
/** 0x8001 result */
export const PlatformResult = { ok: 0, failure: 1, messageError: 2, unsupported: 3, alarmConfirmed: 4 } as const
/** 0x8100 result */
export const RegistrationResult = {
  ok: 0,
  vehicleAlreadyRegistered: 1,
  vehicleUnknown: 2,
  terminalAlreadyRegistered: 3,
  terminalUnknown: 4,
} as const
/** 0x8300 flag bits */
export const TextFlag = { emergency: 1 << 0, display: 1 << 2, tts: 1 << 3 } as const
/** 0x8300 text type, 2019 only */
export const TextType = { notice: 1, service: 2 } as const

/** Widths of the fixed 0x0100 fields; the 2011 layout (model 8 bytes) is not supported. */
export const REGISTRATION_WIDTHS = {
  2013: { makerId: 5, model: 20, terminalId: 7 },
  2019: { makerId: 11, model: 30, terminalId: 30 },
} as const
/** 0x0102 fixed fields, 2019 only */
export const AUTH_WIDTHS = { imei: 15, softwareVersion: 20 } as const

export interface Response {
  replySerial: number
  replyId: number
  result: number
}

export interface Registration {
  province: number
  city: number
  makerId: string
  model: string
  terminalId: string
  /** 0 when the vehicle has no plate; `plate` then holds the VIN */
  plateColor: number
  plate: string
}

export interface Authentication {
  authCode: string
  /** 2019 only */
  imei?: string
  /** 2019 only */
  softwareVersion?: string
}

export interface BatchLocation {
  /** 0 regular batch, 1 blind-zone re-upload */
  type: number
  locations: Location[]
}

export interface LocationQueryResponse {
  replySerial: number
  location: Location
}

export interface RegistrationResponse {
  replySerial: number
  result: number
  /** present only with result 0 */
  authCode?: string
}

export interface TextMessage {
  flag: number
  /** 2019 only; TextType */
  textType?: number
  text: string
}

export function decodeTerminalResponse(body: Buffer): Response {
  const r = new Reader(body, '0x0001 body')
  return { replySerial: r.u16(), replyId: r.u16(), result: r.u8() }
}

export function decodeRegistration(body: Buffer, edition: Edition): Registration {
  const w = REGISTRATION_WIDTHS[edition]
  const r = new Reader(body, '0x0100 body')
  return {
    province: r.u16(),
    city: r.u16(),
    makerId: paddedText(r.bytes(w.makerId)),
    model: paddedText(r.bytes(w.model)),
    terminalId: paddedText(r.bytes(w.terminalId)),
    plateColor: r.u8(),
    plate: paddedText(r.rest()),
  }
}

export function decodeAuthentication(body: Buffer, edition: Edition): Authentication {
  if (edition === 2013) return { authCode: gbkDecode(body) }
  const r = new Reader(body, '0x0102 body')
  const authCode = gbkDecode(r.bytes(r.u8()))
  return {
    authCode,
    imei: paddedText(r.bytes(AUTH_WIDTHS.imei)),
    softwareVersion: paddedText(r.bytes(AUTH_WIDTHS.softwareVersion)),
  }
}

export const decodeLocationReport = decodeLocation

export function decodeBatchLocation(body: Buffer): BatchLocation {
  const r = new Reader(body, '0x0704 body')
  const count = r.u16()
  const type = r.u8()
  const locations: Location[] = []
  for (let i = 0; i < count; i++) locations.push(decodeLocation(r.bytes(r.u16())))
  if (r.remaining > 0) throw new FrameError('badBodyLength', `0x0704 has ${r.remaining} bytes after its ${count} locations`)
  return { type, locations }
}

export function decodeLocationQueryResponse(body: Buffer): LocationQueryResponse {
  const r = new Reader(body, '0x0201 body')
  const replySerial = r.u16()
  return { replySerial, location: decodeLocation(r.rest()) }
}

export type TerminalMessage =
  | { kind: 'terminalResponse'; header: Header; body: Response }
  | { kind: 'heartbeat'; header: Header }
  | { kind: 'logout'; header: Header }
  | { kind: 'registration'; header: Header; body: Registration }
  | { kind: 'authentication'; header: Header; body: Authentication }
  | { kind: 'locationReport'; header: Header; body: Location }
  | { kind: 'locationQueryResponse'; header: Header; body: LocationQueryResponse }
  | { kind: 'batchLocation'; header: Header; body: BatchLocation }
  | { kind: 'parametersResponse'; header: Header; body: ParametersResponse }
  | { kind: 'mediaEvent'; header: Header; body: MediaHeader }
  | { kind: 'mediaData'; header: Header; body: MediaData }
  | { kind: 'cameraResponse'; header: Header; body: CameraResponse }
  | { kind: 'unknown'; header: Header; body: Buffer }

/**
 * One complete (reassembled) terminal message by id. RSA-encrypted bodies come back as
 * 'unknown': decrypting is not this codec's job.
 */
export function decodeTerminalMessage(header: Header, body: Buffer): TerminalMessage {
  if (header.encrypted) return { kind: 'unknown', header, body }
  switch (header.msgId) {
    case MsgId.terminalResponse: return { kind: 'terminalResponse', header, body: decodeTerminalResponse(body) }
    case MsgId.heartbeat: return { kind: 'heartbeat', header }
    case MsgId.logout: return { kind: 'logout', header }
    case MsgId.registration: return { kind: 'registration', header, body: decodeRegistration(body, header.edition) }
    case MsgId.authentication: return { kind: 'authentication', header, body: decodeAuthentication(body, header.edition) }
    case MsgId.locationReport: return { kind: 'locationReport', header, body: decodeLocation(body) }
    case MsgId.locationQueryResponse: return { kind: 'locationQueryResponse', header, body: decodeLocationQueryResponse(body) }
    case MsgId.batchLocation: return { kind: 'batchLocation', header, body: decodeBatchLocation(body) }
    case FleetMsgId.parametersResponse: return { kind: 'parametersResponse', header, body: decodeParametersResponse(body) }
    case FleetMsgId.mediaEvent: return { kind: 'mediaEvent', header, body: decodeMediaEvent(body) }
    case FleetMsgId.mediaData: return { kind: 'mediaData', header, body: decodeMediaData(body) }
    case FleetMsgId.cameraResponse: return { kind: 'cameraResponse', header, body: decodeCameraResponse(body) }
    default: return { kind: 'unknown', header, body }
  }
}

export function encodePlatformResponse(r: Response): Buffer {
  return Buffer.concat([u16(r.replySerial, 'replySerial'), u16(r.replyId, 'replyId'), u8(r.result, 'result')])
}

export function encodeRegistrationResponse(r: RegistrationResponse): Buffer {
  const head = Buffer.concat([u16(r.replySerial, 'replySerial'), u8(r.result, 'result')])
  if (r.result !== RegistrationResult.ok) return head
  if (r.authCode === undefined || r.authCode === '') throw new RangeError('a successful registration needs an authCode')
  return Buffer.concat([head, gbkEncode(r.authCode)])
}

export const encodeLocationQuery = (): Buffer => Buffer.alloc(0)

export function encodeTextMessage(m: TextMessage, edition: Edition): Buffer {
  const parts = [u8(m.flag, 'flag')]
  if (edition === 2019) parts.push(u8(m.textType ?? TextType.notice, 'textType'))
  parts.push(gbkEncode(m.text))
  return Buffer.concat(parts)
}
