/** Decoders for what the platform sends, for the terminal simulator and for tests. */
import { Reader, gbkDecode } from './bytes.ts'
import { FrameError } from './frame.ts'
import type { Edition } from './header.ts'
import { type RegistrationResponse, type Response, RegistrationResult, type TextMessage } from './messages.ts'

export function decodePlatformResponse(body: Buffer): Response {
  const r = new Reader(body, '0x8001 body')
  return { replySerial: r.u16(), replyId: r.u16(), result: r.u8() }
}

export function decodeRegistrationResponse(body: Buffer): RegistrationResponse {
  const r = new Reader(body, '0x8100 body')
  const replySerial = r.u16()
  const result = r.u8()
  if (result !== RegistrationResult.ok) return { replySerial, result }
  return { replySerial, result, authCode: gbkDecode(r.rest()) }
}

export function decodeLocationQuery(body: Buffer): Record<string, never> {
  if (body.length !== 0) throw new FrameError('badBodyLength', `0x8201 has no body, got ${body.length} bytes`)
  return {}
}

export function decodeTextMessage(body: Buffer, edition: Edition): TextMessage {
  const r = new Reader(body, '0x8300 body')
  const flag = r.u8()
  if (edition === 2013) return { flag, text: gbkDecode(r.rest()) }
  const textType = r.u8()
  return { flag, textType, text: gbkDecode(r.rest()) }
}
