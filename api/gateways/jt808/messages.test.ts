import { describe, expect, it } from 'vitest'
import {
  type LocationInput, encodeAuthentication, encodeBatchLocation, encodeHeartbeat, encodeLocation, encodeLocationQueryResponse,
  encodeLogout, encodeRegistration, encodeTerminalResponse,
} from './terminal-codec.ts'
import { FrameError, FrameSplitter } from './frame.ts'
import { type Edition, decodeFrame, encodeMessage } from './header.ts'
import { MsgId } from './ids.ts'
import { AlarmBit, StatusBit, decodeLocation } from './location.ts'
import {
  PlatformResult, RegistrationResult, TextFlag, TextType, decodeTerminalMessage, encodeLocationQuery, encodePlatformResponse,
  encodeRegistrationResponse, encodeTextMessage, type TerminalMessage,
} from './messages.ts'
import { decodeLocationQuery, decodePlatformResponse, decodeRegistrationResponse, decodeTextMessage } from './platform-decoders.ts'
import { bcdTimeToIso, isoToBcdTime } from './time.ts'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const reasonOf = (fn: () => unknown): string => {
  try { fn() } catch (e) { if (e instanceof FrameError) return e.reason; throw e }
  throw new Error('did not throw')
}

const editions: Edition[] = [2013, 2019]
// 倉 is 82 7d and 儈 83 7e in GBK: text that needs escaping once encoded
const ESCAPY = '倉儈}~'
// serial and ids with 0x7e / 0x7d bytes
const header = (msgId: number, edition: Edition) => ({ msgId, edition, phone: '13907557777', serial: 0x7e7d })

/** through the wire and back: encode, split from a stream, decode */
function viaWire(msgId: number, edition: Edition, body: Buffer): TerminalMessage {
  const bytes = encodeMessage(header(msgId, edition), body)
  const raws = new FrameSplitter().push(Buffer.concat([hex('7e'), bytes]))
  expect(raws).toHaveLength(1)
  const m = decodeFrame(raws[0])
  expect(m.header).toMatchObject({ msgId, edition, serial: 0x7e7d })
  return decodeTerminalMessage(m.header, m.body)
}

const location: LocationInput = {
  alarm: ((1 << AlarmBit.emergency) | (1 << AlarmBit.mainPowerOff) | (1 << AlarmBit.illegalDoorOpen)) >>> 0,
  status: (1 << StatusBit.acc) | (1 << StatusBit.positioned) | (1 << StatusBit.beidou) | (3 << 8),
  lat: 36.067082,
  lon: 120.382639,
  altitudeM: 0x7e7d,
  speedKmh: 3236.5, // raw 0x7e6d
  direction: 359,
  time: '2024-02-29T16:30:00.000Z',
  extras: {
    mileageKm: 12345.6, fuelL: 0x7e7e / 10, recorderSpeedKmh: 60.5, manualAlarmEventId: 0x7d7d, vehicleSignalStatus: 0x7e7e7e7e,
    ioStatus: 3, analog: 0xfffffffe, signalStrength: 0x7e, gnssSatellites: 12,
  },
  otherItems: [{ id: 0x7e, hex: '7d7e00' }, { id: 0xe1, hex: '' }],
}

describe('terminal messages round-trip through scripts/ encoders and the gateway decoders', () => {
  for (const edition of editions) {
    describe(`${edition}`, () => {
      it('0x0001 terminal response', () => {
        const body = { replySerial: 0x7e7e, replyId: MsgId.textMessage, result: 3 }
        expect(viaWire(MsgId.terminalResponse, edition, encodeTerminalResponse(body))).toMatchObject({ kind: 'terminalResponse', body })
      })

      it('0x0002 heartbeat and 0x0003 logout', () => {
        expect(viaWire(MsgId.heartbeat, edition, encodeHeartbeat())).toMatchObject({ kind: 'heartbeat', header: { bodyLength: 0 } })
        expect(viaWire(MsgId.logout, edition, encodeLogout())).toMatchObject({ kind: 'logout', header: { bodyLength: 0 } })
      })

      it('0x0100 registration with a GBK plate and escape bytes in every field', () => {
        const reg = {
          province: 0x7e7d, city: 0x7d7e, makerId: edition === 2013 ? '7e}~1' : 'MAKER}~7e99', model: `${ESCAPY}model`,
          terminalId: edition === 2013 ? 'T~}0001' : `T~}${'9'.repeat(27)}`, plateColor: 0x7e, plate: '鲁Q12345',
        }
        expect(viaWire(MsgId.registration, edition, encodeRegistration(reg, edition))).toEqual(expect.objectContaining({ kind: 'registration', body: reg }))
      })

      it('0x0102 authentication', () => {
        const auth = edition === 2013
          ? { authCode: `auth${ESCAPY}` }
          : { authCode: `auth${ESCAPY}`, imei: '86123456789~}12', softwareVersion: 'v1.2.3-鲁' }
        expect(viaWire(MsgId.authentication, edition, encodeAuthentication(auth, edition))).toMatchObject({ kind: 'authentication', body: auth })
      })

      it('0x0200 location with every decoded item and raw ones', () => {
        const got = viaWire(MsgId.locationReport, edition, encodeLocation(location))
        expect(got.kind).toBe('locationReport')
        const loc = (got as Extract<TerminalMessage, { kind: 'locationReport' }>).body
        expect(loc).toMatchObject({ ...location, time: '2024-02-29T16:30:00.000Z', timeBcd: '240301003000' })
        expect(loc.alarms).toMatchObject({ emergency: true, mainPowerOff: true, illegalDoorOpen: true, overspeed: false })
        expect(loc.alarm).toBe(0x80000101)
        expect(loc.flags).toMatchObject({ acc: true, positioned: true, beidou: true, gps: false, load: 3, south: false, west: false })
      })

      it('0x0704 batch and 0x0201 query response', () => {
        const second = { ...location, lat: -33.856784, lon: -70.651, time: null, extras: {}, otherItems: [] }
        const batch = viaWire(MsgId.batchLocation, edition, encodeBatchLocation({ type: 1, locations: [location, second] }))
        expect(batch).toMatchObject({ kind: 'batchLocation', body: { type: 1, locations: [{ lat: 36.067082 }, { lat: -33.856784, lon: -70.651, time: null }] } })
        const q = viaWire(MsgId.locationQueryResponse, edition, encodeLocationQueryResponse(0x7e7e, location))
        expect(q).toMatchObject({ kind: 'locationQueryResponse', body: { replySerial: 0x7e7e, location: { lat: 36.067082, extras: location.extras } } })
      })
    })
  }

  it('leaves unknown and RSA-encrypted messages undecoded', () => {
    const m = decodeFrame(encodeMessage({ ...header(0x0900, 2013) }, hex('7e')))
    expect(decodeTerminalMessage(m.header, m.body)).toMatchObject({ kind: 'unknown', body: hex('7e') })
    const e = decodeFrame(encodeMessage({ ...header(MsgId.locationReport, 2019), encrypted: true }, hex('0102')))
    expect(decodeTerminalMessage(e.header, e.body).kind).toBe('unknown')
  })
})

describe('platform messages round-trip through the gateway encoders and the simulator decoders', () => {
  for (const edition of editions) {
    it(`${edition}`, () => {
      const resp = { replySerial: 0x7e7d, replyId: MsgId.batchLocation, result: PlatformResult.alarmConfirmed }
      expect(decodePlatformResponse(encodePlatformResponse(resp))).toEqual(resp)
      const reg = { replySerial: 0x7d7e, result: RegistrationResult.ok, authCode: `code${ESCAPY}` }
      expect(decodeRegistrationResponse(encodeRegistrationResponse(reg))).toEqual(reg)
      for (const result of [1, 2, 3, 4]) {
        expect(decodeRegistrationResponse(encodeRegistrationResponse({ replySerial: 1, result }))).toEqual({ replySerial: 1, result })
      }
      expect(decodeLocationQuery(encodeLocationQuery())).toEqual({})
      const text = { flag: TextFlag.emergency | TextFlag.display | TextFlag.tts, text: `请注意：${ESCAPY} 鲁Q12345` }
      const withType = edition === 2019 ? { ...text, textType: TextType.service } : text
      const frame = encodeMessage({ msgId: MsgId.textMessage, edition, phone: '1', serial: 0x7e }, encodeTextMessage(withType, edition))
      const m = decodeFrame(frame)
      expect(decodeTextMessage(m.body, m.header.edition)).toEqual(withType)
    })
  }

  it('2019 text defaults to a notice', () => {
    expect(decodeTextMessage(encodeTextMessage({ flag: 0, text: 'x' }, 2019), 2019).textType).toBe(TextType.notice)
  })

  it('refuses a successful 0x8100 without an auth code', () => {
    expect(() => encodeRegistrationResponse({ replySerial: 1, result: 0 })).toThrow(RangeError)
  })

  it('0x8201 with a body is a bad message', () => {
    expect(reasonOf(() => decodeLocationQuery(hex('00')))).toBe('badBodyLength')
  })
})

describe('location details', () => {
  const base = { lat: 1, lon: 1, time: '2024-01-01T00:00:00Z' }

  it('sets and reads the south and west bits from the signs, without -0', () => {
    const sw = decodeLocation(encodeLocation({ ...base, lat: -12.5, lon: -0.000001 }))
    expect(sw).toMatchObject({ lat: -12.5, lon: -0.000001, flags: { south: true, west: true } })
    expect(sw.status).toBe(0b1100)
    // a status that claims south for a northern latitude is corrected by the encoder
    const ne = decodeLocation(encodeLocation({ ...base, status: 0b1100, lat: 0, lon: 5 }))
    expect(ne).toMatchObject({ lat: 0, lon: 5, status: 0 })
    // a terminal that sets the south bit on 0° must not produce -0
    const body = encodeLocation({ ...base, lat: 0 })
    body.writeUInt32BE(0b0100, 4)
    expect(Object.is(decodeLocation(body).lat, 0)).toBe(true)
  })

  it('keeps an unknown-length known item raw instead of misreading it', () => {
    const body = Buffer.concat([encodeLocation(base), hex('01 02 0064')])
    expect(decodeLocation(body)).toMatchObject({ extras: {}, otherItems: [{ id: 1, hex: '0064' }] })
  })

  it('refuses an item whose length runs past the body, or a body shorter than the fixed part', () => {
    const ok = encodeLocation(base)
    expect(reasonOf(() => decodeLocation(Buffer.concat([ok, hex('30 02 01')])))).toBe('truncated')
    expect(reasonOf(() => decodeLocation(Buffer.concat([ok, hex('30')])))).toBe('truncated')
    expect(reasonOf(() => decodeLocation(ok.subarray(0, 27)))).toBe('truncated')
  })

  it('refuses a batch whose count or lengths disagree with its body', () => {
    const one = encodeBatchLocation({ type: 0, locations: [base] })
    const more = Buffer.from(one)
    more.writeUInt16BE(2, 0)
    expect(reasonOf(() => decodeTerminalMessage(decodeFrame(encodeMessage(header(MsgId.batchLocation, 2013), more)).header, more))).toBe('truncated')
    expect(reasonOf(() => decodeTerminalMessage(decodeFrame(encodeMessage(header(MsgId.batchLocation, 2013), one)).header, Buffer.concat([one, hex('00')])))).toBe('badBodyLength')
  })

  it('refuses values that do not fit', () => {
    expect(() => encodeLocation({ ...base, speedKmh: 7000 })).toThrow(RangeError)
    expect(() => encodeLocation({ ...base, otherItems: [{ id: 0x100, hex: '' }] })).toThrow(RangeError)
    expect(() => encodeLocation({ ...base, otherItems: [{ id: 1, hex: '00'.repeat(256) }] })).toThrow(RangeError)
  })
})

describe('BCD time in Beijing time', () => {
  it('converts to and from UTC across the date line of GMT+8', () => {
    expect(bcdTimeToIso(hex('240301003000'))).toBe('2024-02-29T16:30:00.000Z')
    expect(isoToBcdTime('2024-02-29T16:30:00Z')).toEqual(hex('240301003000'))
    expect(isoToBcdTime(new Date('1999-12-31T16:00:00Z'))).toEqual(hex('000101000000'))
  })

  it('reads all zeros, bad nibbles and impossible dates as no time', () => {
    expect(bcdTimeToIso(hex('000000000000'))).toBeNull()
    expect(bcdTimeToIso(hex('24023012000a'))).toBeNull()
    expect(bcdTimeToIso(hex('230229120000'))).toBeNull()
    expect(bcdTimeToIso(hex('241301120000'))).toBeNull()
    expect(bcdTimeToIso(hex('240101240000'))).toBeNull()
    expect(isoToBcdTime(null)).toEqual(hex('000000000000'))
  })

  it('refuses times outside 2000-2099', () => {
    expect(() => isoToBcdTime('2100-01-01T00:00:00Z')).toThrow(RangeError)
    expect(() => isoToBcdTime('nonsense')).toThrow(RangeError)
  })
})

describe('registration field widths', () => {
  it('refuses text longer than its field instead of cutting it', () => {
    const reg = { province: 0, city: 0, makerId: '123456', model: 'm', terminalId: 't', plateColor: 0, plate: '' }
    expect(() => encodeRegistration(reg, 2013)).toThrow(/makerId/)
    expect(encodeRegistration(reg, 2019).length).toBe(2 + 2 + 11 + 30 + 30 + 1)
  })

  it('strips the padding terminals use', () => {
    const body = Buffer.concat([hex('0001 0002'), Buffer.from('\0\0AB\0', 'latin1'), Buffer.from('model   '.padEnd(20, '\0'), 'latin1'), Buffer.from('ID\0 \0\0\0', 'latin1'), hex('01'), Buffer.from('X\0', 'latin1')])
    const m = decodeTerminalMessage(decodeFrame(encodeMessage(header(MsgId.registration, 2013), body)).header, body)
    expect(m).toMatchObject({ body: { makerId: 'AB', model: 'model', terminalId: 'ID', plate: 'X' } })
  })
})
