/** The location body of 0x0200, also carried inside 0x0201 and 0x0704. Same in 2013 and 2019. */
import { Reader } from './bytes.ts'
import { FrameError } from './frame.ts'
import { bcdTimeToIso } from './time.ts'

/**
 * Alarm bits named after JT/T 808-2013 table 24. Bits 15-17 are reserved there and were given
 * meanings in 2019 that are left to the raw word; bit 3 is "danger warning" in 2013.
 */
export const AlarmBit = {
  emergency: 0,
  overspeed: 1,
  fatigue: 2,
  dangerWarning: 3,
  gnssModuleFault: 4,
  gnssAntennaDisconnected: 5,
  gnssAntennaShortCircuit: 6,
  mainPowerUndervoltage: 7,
  mainPowerOff: 8,
  displayFault: 9,
  ttsModuleFault: 10,
  cameraFault: 11,
  icCardModuleFault: 12,
  overspeedWarning: 13,
  fatigueWarning: 14,
  dailyDrivingTimeout: 18,
  overtimeParking: 19,
  areaInOut: 20,
  routeInOut: 21,
  routeDrivingTimeAbnormal: 22,
  routeDeviation: 23,
  vssFault: 24,
  fuelAbnormal: 25,
  stolen: 26,
  illegalIgnition: 27,
  illegalMove: 28,
  collisionWarning: 29,
  rolloverWarning: 30,
  illegalDoorOpen: 31,
} as const

/** Status bits of table 25 that are the same in both editions. */
export const StatusBit = {
  acc: 0,
  positioned: 1,
  south: 2,
  west: 3,
  outOfService: 4,
  coordinatesEncrypted: 5,
  oilCut: 10,
  circuitCut: 11,
  doorLocked: 12,
  gps: 18,
  beidou: 19,
  glonass: 20,
  galileo: 21,
} as const

export type AlarmFlags = Record<keyof typeof AlarmBit, boolean>
export type StatusFlags = Record<keyof typeof StatusBit, boolean> & {
  /** bits 8-9: 0 empty, 1 half load, 3 full load (2 is reserved) */
  load: number
}

/** Additional-information items decoded to numbers; `scale` raw units per unit of the field. */
export const LocationItem = {
  /** 0.1 km */
  mileageKm: { id: 0x01, bytes: 4, scale: 10 },
  /** 0.1 L */
  fuelL: { id: 0x02, bytes: 2, scale: 10 },
  /** speed from the driving recorder, 0.1 km/h */
  recorderSpeedKmh: { id: 0x03, bytes: 2, scale: 10 },
  /** id of a manually confirmed alarm event */
  manualAlarmEventId: { id: 0x04, bytes: 2, scale: 1 },
  /** extended vehicle signal status word */
  vehicleSignalStatus: { id: 0x25, bytes: 4, scale: 1 },
  ioStatus: { id: 0x2a, bytes: 2, scale: 1 },
  /** bits 0-15 AD0, bits 16-31 AD1 */
  analog: { id: 0x2b, bytes: 4, scale: 1 },
  /** wireless network signal strength */
  signalStrength: { id: 0x30, bytes: 1, scale: 1 },
  gnssSatellites: { id: 0x31, bytes: 1, scale: 1 },
} as const

export type LocationItemName = keyof typeof LocationItem
export type LocationExtras = { [K in LocationItemName]?: number }

export interface RawItem {
  id: number
  hex: string
}

export interface Location {
  alarm: number
  alarms: AlarmFlags
  status: number
  flags: StatusFlags
  /** degrees, negative south */
  lat: number
  /** degrees, negative west */
  lon: number
  altitudeM: number
  speedKmh: number
  /** degrees clockwise from north, 0-359 */
  direction: number
  /** UTC ISO; null when the terminal sent no valid time */
  time: string | null
  /** the BCD digits as sent, Beijing time */
  timeBcd: string
  extras: LocationExtras
  /** items not decoded above (unknown ids, or a known id with an unexpected length), in order */
  otherItems: RawItem[]
}

const ITEM_BY_ID = new Map<number, [LocationItemName, (typeof LocationItem)[LocationItemName]]>(
  (Object.entries(LocationItem) as [LocationItemName, (typeof LocationItem)[LocationItemName]][]).map(([name, d]) => [d.id, [name, d]]),
)

const bit = (word: number, n: number) => ((word >>> n) & 1) === 1

function flagsOf<K extends string>(word: number, bits: Record<K, number>): Record<K, boolean> {
  const out = {} as Record<K, boolean>
  for (const k of Object.keys(bits) as K[]) out[k] = bit(word, bits[k])
  return out
}

export const alarmFlags = (alarm: number): AlarmFlags => flagsOf(alarm, AlarmBit)
export const statusFlags = (status: number): StatusFlags => ({ ...flagsOf(status, StatusBit), load: (status >>> 8) & 0b11 })

/** Avoids -0, which deep equality tells apart from 0. */
const signed = (v: number, negative: boolean) => (negative && v !== 0 ? -v : v)

export function decodeLocation(body: Buffer): Location {
  const r = new Reader(body, 'location')
  const alarm = r.u32()
  const status = r.u32()
  const latRaw = r.u32()
  const lonRaw = r.u32()
  const altitudeM = r.u16()
  const speedRaw = r.u16()
  const direction = r.u16()
  const timeBytes = r.bytes(6)
  const flags = statusFlags(status)
  const extras: LocationExtras = {}
  const otherItems: RawItem[] = []
  while (r.remaining > 0) {
    const id = r.u8()
    if (r.remaining < 1) throw new FrameError('truncated', `location item 0x${id.toString(16)} has no length byte`)
    const len = r.u8()
    if (len > r.remaining) {
      throw new FrameError('truncated', `location item 0x${id.toString(16)} claims ${len} bytes, ${r.remaining} are left`)
    }
    const value = r.bytes(len)
    const known = ITEM_BY_ID.get(id)
    if (known && known[1].bytes === len) {
      extras[known[0]] = value.readUIntBE(0, len) / known[1].scale
    } else {
      otherItems.push({ id, hex: value.toString('hex') })
    }
  }
  return {
    alarm,
    alarms: alarmFlags(alarm),
    status,
    flags,
    lat: signed(latRaw / 1e6, flags.south),
    lon: signed(lonRaw / 1e6, flags.west),
    altitudeM,
    speedKmh: speedRaw / 10,
    direction,
    time: bcdTimeToIso(timeBytes),
    timeBcd: timeBytes.toString('hex'),
    extras,
    otherItems,
  }
}
