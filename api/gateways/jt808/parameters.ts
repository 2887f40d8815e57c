/**
 * Terminal parameters (JT/T 808 §8.8-8.11): 0x8103 sets, 0x8104 asks for all, 0x0104 answers.
 * Each item is an ID (DWORD), a length byte and the value; the ones a township changes are
 * DWORDs and are decoded as numbers, every other item is kept raw by its length (vendors add
 * their own IDs).
 */
import { Reader, u16, u32, u8 } from './bytes.ts'
import { FrameError } from './frame.ts'

/** the parameters the platform manages, all DWORD */
export const ParamId = {
  heartbeatS: 0x0001,
  sleepReportIntervalS: 0x0027,
  defaultReportIntervalS: 0x0029,
  maxSpeedKmh: 0x0055,
  overspeedDurationS: 0x0056,
} as const

export type ParamName = keyof typeof ParamId
export type ManagedParameters = { [K in ParamName]?: number }

/** What a township may set, and why the bounds: a terminal told 0 s would flood or fall silent. */
export const PARAM_RANGES: Record<ParamName, { min: number; max: number; label: string }> = {
  heartbeatS: { min: 10, max: 3600, label: '心跳间隔 (秒)' },
  sleepReportIntervalS: { min: 10, max: 86_400, label: '休眠时汇报间隔 (秒)' },
  defaultReportIntervalS: { min: 1, max: 3600, label: '缺省时间汇报间隔 (秒)' },
  maxSpeedKmh: { min: 20, max: 150, label: '最高速度 (km/h)' },
  overspeedDurationS: { min: 1, max: 600, label: '超速持续时间 (秒)' },
}

export interface ParamItem {
  id: number
  value: Buffer
}

export interface ParametersResponse {
  replySerial: number
  items: ParamItem[]
}

const NAME_BY_ID = new Map<number, ParamName>(Object.entries(ParamId).map(([k, v]) => [v, k as ParamName]))

function readItems(r: Reader, count: number, what: string): ParamItem[] {
  const items: ParamItem[] = []
  for (let i = 0; i < count; i++) {
    const id = r.u32()
    const len = r.u8()
    items.push({ id, value: r.bytes(len) })
  }
  if (r.remaining) throw new FrameError('badBodyLength', `${what} has ${r.remaining} bytes after its ${count} parameters`)
  return items
}

export function decodeParametersResponse(body: Buffer): ParametersResponse {
  const r = new Reader(body, '0x0104 body')
  const replySerial = r.u16()
  return { replySerial, items: readItems(r, r.u8(), '0x0104') }
}

/** 0x8103 as the terminal reads it */
export function decodeSetParameters(body: Buffer): ParamItem[] {
  const r = new Reader(body, '0x8103 body')
  return readItems(r, r.u8(), '0x8103')
}

export function encodeParamItems(items: ParamItem[]): Buffer {
  if (items.length > 0xff) throw new RangeError(`${items.length} parameters: at most 255 fit in one message`)
  return Buffer.concat([u8(items.length, 'count'), ...items.flatMap((it) => [u32(it.id, 'id'), u8(it.value.length, 'length'), it.value])])
}

export const encodeSetParameters = (items: ParamItem[]): Buffer => encodeParamItems(items)

export const encodeParametersResponse = (p: ParametersResponse): Buffer =>
  Buffer.concat([u16(p.replySerial, 'replySerial'), encodeParamItems(p.items)])

/** The managed parameters among items (a DWORD of another length is not ours to read). */
export function managedOf(items: ParamItem[]): ManagedParameters {
  const out: ManagedParameters = {}
  for (const it of items) {
    const name = NAME_BY_ID.get(it.id)
    if (name && it.value.length === 4) out[name] = it.value.readUInt32BE(0)
  }
  return out
}

export function itemsOf(p: ManagedParameters): ParamItem[] {
  return (Object.keys(ParamId) as ParamName[]).filter((k) => p[k] !== undefined).map((k) => ({ id: ParamId[k], value: u32(p[k]!, k) }))
}

/** null when every value is in range, else the first problem naming the field */
export function checkParameters(p: ManagedParameters, field = 'body'): string | null {
  for (const k of Object.keys(p) as ParamName[]) {
    const v = p[k]
    if (v === undefined) continue
    const r = PARAM_RANGES[k]
    if (!Number.isInteger(v) || v < r.min || v > r.max) return `${field}/${k} must be an integer in [${r.min}, ${r.max}]`
  }
  return null
}
