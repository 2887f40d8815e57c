/** Location tracking and alarm confirmation sent by the platform (JT/T 808 §8.20, 8.21); same in both editions. */
import { Reader, u16, u32 } from './bytes.ts'

/** 0x8202 临时位置跟踪控制: report every intervalS for validityS; interval 0 stops tracking */
export interface TrackingControl {
  intervalS: number
  validityS: number
}

/** 0x8203 人工确认报警消息 */
export interface AlarmConfirmation {
  /** serial of the alarm's 0x0200; 0 confirms every alarm of the types */
  alarmSerial: number
  /** bit 0 emergency, 3 danger warning, 20 area, 21 route, 22 route time, 27 illegal ignition, 28 illegal move */
  types: number
}

/** the alarm bits 0x8203 can confirm */
export const CONFIRMABLE_ALARMS = (1 << 0) | (1 << 3) | (1 << 20) | (1 << 21) | (1 << 22) | (1 << 27) | (1 << 28)

export const encodeTrackingControl = (t: TrackingControl): Buffer =>
  Buffer.concat([u16(t.intervalS, 'intervalS'), u32(t.validityS, 'validityS')])

export function decodeTrackingControl(body: Buffer): TrackingControl {
  const r = new Reader(body, '0x8202 body')
  return { intervalS: r.u16(), validityS: r.u32() }
}

export const encodeAlarmConfirmation = (a: AlarmConfirmation): Buffer =>
  Buffer.concat([u16(a.alarmSerial, 'alarmSerial'), u32(a.types >>> 0, 'types')])

export function decodeAlarmConfirmation(body: Buffer): AlarmConfirmation {
  const r = new Reader(body, '0x8203 body')
  return { alarmSerial: r.u16(), types: r.u32() }
}
