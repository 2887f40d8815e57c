/**
 * Frames published by other JT/T 808 implementations, decoded here and compared with the values
 * their own tests assert; where those projects also build the frame, ours must match it byte
 * for byte. Sources (read at the commits noted):
 *  - SmallChi/JT808 (C#) c9552b0f, src/JT808.Protocol.Test/...
 *  - cuteLittleDevil/go-jt808 (Go) e80a7d3f, protocol/...
 * Differences in convention: SmallChi and go-jt808 strip leading zeros from the phone number,
 * we keep the BCD digits as sent; both report raw units (mileage 0.1 km, speed 0.1 km/h), we
 * scale them.
 */
import { describe, expect, it } from 'vitest'
import {
  encodeAuthentication, encodeBatchLocation, encodeLocation, encodeLocationQueryResponse, encodeRegistration, encodeTerminalResponse,
} from './terminal-codec.ts'
import { type Message, decodeFrame, encodeMessage } from './header.ts'
import { MsgId } from './ids.ts'
import {
  PlatformResult, RegistrationResult, decodeAuthentication, decodeBatchLocation, decodeLocationQueryResponse, decodeRegistration,
  decodeTerminalMessage, decodeTerminalResponse, encodePlatformResponse, encodeRegistrationResponse, encodeTextMessage,
} from './messages.ts'
import { decodeLocation } from './location.ts'
import { decodePlatformResponse, decodeRegistrationResponse, decodeTextMessage } from './platform-decoders.ts'
import { Reassembler } from './reassembly.ts'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const frame = (s: string): Message => decodeFrame(hex(s))
/** the same message built by our encoders */
const again = (m: Message, body: Buffer) => encodeMessage({ ...m.header }, body)

describe('0x0100 registration', () => {
  it('2013, SmallChi JT808_0x0100Test.cs Test1 / Test1_1', () => {
    const src = '7E0100002D000123456789000A002800323132333400736D616C6C6368693132330000000000000000004348493132330001D4C14131323334358A7E'
    const m = frame(src)
    expect(m.header).toMatchObject({ msgId: MsgId.registration, edition: 2013, phone: '000123456789', serial: 10 })
    const reg = decodeRegistration(m.body, 2013)
    expect(reg).toEqual({ province: 40, city: 50, makerId: '1234', model: 'smallchi123', terminalId: 'CHI123', plateColor: 1, plate: '粤A12345' })
    expect(again(m, encodeRegistration(reg, 2013))).toEqual(hex(src))
  })

  it('2019, SmallChi JT808_0x0100Test.cs Test2019_1 / Test2019_2', () => {
    const src = '7E010040540100000000000123456789000A002800323132333400000000000000736D616C6C6368693132330000000000000000000000000000000000000043484931323300000000000000000000000000000000000000000000000001D4C1413132333435B27E'
    const m = frame(src)
    const reg = decodeRegistration(m.body, 2019)
    expect(reg).toEqual({ province: 40, city: 50, makerId: '1234', model: 'smallchi123', terminalId: 'CHI123', plateColor: 1, plate: '粤A12345' })
    expect(again(m, encodeRegistration(reg, 2019))).toEqual(hex(src))
  })

  it('2019 padded with ASCII zeros on the left, SmallChi JT808_0x0100Test.cs Test2019_4_2', () => {
    // SmallChi asserts the fields after TrimStart('0'); '0' is a legal character, so we keep it
    const reg = decodeRegistration(frame('7e0100405401000000000222222222220001000000003030304b6f696b65303032303030303030303030303030303030303030303030304b6f696b65303032303030303030303030303030303030303030303030304b6f696b6530303202d4c1413132333436107e').body, 2019)
    expect(reg).toMatchObject({ province: 0, city: 0, plateColor: 2, plate: '粤A12346', makerId: '000Koike002' })
    expect(reg.model.replace(/^0+/, '')).toBe('Koike002')
    expect(reg.terminalId.replace(/^0+/, '')).toBe('Koike002')
  })

  it('2013 and 2019, go-jt808 protocol/model/parse_test.go, and the 0x8100 go-jt808 answers with', () => {
    const want = { province: 31, city: 115, makerId: 'cd', model: 'www.808.com', terminalId: '7654321', plateColor: 1, plate: '测A1234' }
    const m13 = frame('7e0100002c0123456789010000001f007363640000007777772e3830382e636f6d0000000000000000003736353433323101b2e24131323334cc7e')
    const m19 = frame('7e0100405301000000000172998417380000001f007363640000000000000000007777772e3830382e636f6d0000000000000000000000000000000000000037363534333231000000000000000000000000000000000000000000000001b2e241313233343b7e')
    expect(decodeRegistration(m13.body, 2013)).toEqual(want)
    expect(decodeRegistration(m19.body, 2019)).toEqual(want)
    expect(m19.header).toMatchObject({ edition: 2019, protocolVersion: 1, phone: '00000000017299841738', serial: 0 })
    // protocol/model/reply_test.go: go-jt808 answers with the phone number as auth code
    const reply = encodeRegistrationResponse({ replySerial: m19.header.serial, result: RegistrationResult.ok, authCode: '17299841738' })
    const out = encodeMessage({ msgId: MsgId.registrationResponse, edition: 2019, phone: m19.header.phone, serial: 0 }, reply)
    expect(out).toEqual(hex('7e8100400e010000000001729984173800000000003137323939383431373338ba7e'))
  })
})

describe('0x0102 authentication', () => {
  it('2013, SmallChi JT808_0x0102Test.cs Test3 / Test4', () => {
    const src = '7E 01 02 00 09 01 23 45 67 89 00 30 39 34 35 36 31 32 31 31 31 31 BE 7E'
    const m = frame(src)
    expect(m.header).toMatchObject({ serial: 12345, phone: '012345678900' })
    expect(decodeAuthentication(m.body, 2013)).toEqual({ authCode: '456121111' })
    expect(again(m, encodeAuthentication({ authCode: '456121111' }, 2013))).toEqual(hex(src))
  })

  it('2019 body, SmallChi JT808_0x0102Test.cs Test2019_1 / Test2019_2', () => {
    const body = hex('05343536313231323334353637383930616263646576322E302E300000000000000000000000000000')
    const auth = decodeAuthentication(body, 2019)
    expect(auth).toEqual({ authCode: '45612', imei: '1234567890abcde', softwareVersion: 'v2.0.0' })
    expect(encodeAuthentication(auth, 2019)).toEqual(body)
  })

  it('2019 frame, go-jt808 protocol/model/parse_test.go', () => {
    const src = '7e0102402f010000000001729984173800000b3137323939383431373338313233343536373839303132333435332e372e31350000000000000000000000000000227e'
    const m = frame(src)
    const auth = decodeAuthentication(m.body, 2019)
    expect(auth).toEqual({ authCode: '17299841738', imei: '123456789012345', softwareVersion: '3.7.15' })
    expect(again(m, encodeAuthentication(auth, 2019))).toEqual(hex(src))
    // protocol/model/reply_test.go: the 0x8001 go-jt808 answers with
    const reply = encodePlatformResponse({ replySerial: 0, replyId: MsgId.authentication, result: PlatformResult.ok })
    expect(encodeMessage({ msgId: MsgId.platformResponse, edition: 2019, phone: m.header.phone, serial: 0 }, reply))
      .toEqual(hex('7e80014005010000000001729984173800000000010200877e'))
  })

  it('a 2013 body behind the 2019 flag, SmallChi JT808_0x0200Test.cs Test5_3', () => {
    const m = frame('7E0102400C01003000068109024A3130303330303030363831857E')
    expect(decodeTerminalMessage(m.header, m.body)).toMatchObject({ kind: 'authentication', body: { authCode: 'J10030000681' } })
  })
})

describe('0x0200 location report', () => {
  it('2013 with mileage and fuel, SmallChi JT808_0x0200Test.cs Test5', () => {
    const src = '7E 02 00 00 26 11 22 33 44 55 66 22 B8 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28 00 3C 00 00 18 07 15 10 10 10 01 04 00 00 00 64 02 02 00 37 57 7E'
    const m = frame(src)
    const loc = decodeLocation(m.body)
    expect(loc).toMatchObject({
      alarm: 1, status: 2, lat: 12.222222, lon: 132.444444, altitudeM: 40, speedKmh: 6, direction: 0,
      // "2018-07-15 10:10:10" Beijing time
      time: '2018-07-15T02:10:10.000Z', timeBcd: '180715101010',
      extras: { mileageKm: 10, fuelL: 5.5 }, otherItems: [],
    })
    expect(loc.alarms.emergency).toBe(true)
    expect(loc.flags).toMatchObject({ acc: false, positioned: true, south: false, west: false })
    expect(again(m, encodeLocation(loc))).toEqual(hex(src))
  })

  it('every standard item, SmallChi JT808_0x0200Test.cs Test_all_attcahids', () => {
    const m = frame('7E0200005C11223344556622B8000000010000000200BA7F0E07E4F11C0028003C00001807151010100104000000640202003703020038040200011105010000000112060100000001011307000000020022012504000000172A0200F42B04000000F2300102310105167E')
    const loc = decodeLocation(m.body)
    expect(loc.extras).toEqual({
      mileageKm: 10, fuelL: 5.5, recorderSpeedKmh: 5.6, manualAlarmEventId: 1, vehicleSignalStatus: 23, ioStatus: 244,
      analog: 242, signalStrength: 2, gnssSatellites: 5,
    })
    // 0x11-0x13 (area / route alarms) are not decoded here
    expect(loc.otherItems).toEqual([
      { id: 0x11, hex: '0100000001' },
      { id: 0x12, hex: '010000000101' },
      { id: 0x13, hex: '00000002002201' },
    ])
  })

  it('2013 with 0x7e inside the latitude, go-jt808 protocol/model/parse_test.go', () => {
    const m = frame('7e0200001c0123456789010000000004000000080007203b7d0202633df70138000300632410012359591c7e')
    // go-jt808's synthetic frame puts 119.55° in the latitude field; we decode what is there
    expect(decodeLocation(m.body)).toMatchObject({
      alarm: 1024, status: 2048, lat: 119.552894, lon: 40.058359, altitudeM: 312, speedKmh: 0.3, direction: 99,
      time: '2024-10-01T15:59:59.000Z',
    })
  })

  it('2019 with items we do not decode, go-jt808 protocol/model/reply_test.go, and its 0x8001', () => {
    const m = frame('7e0200407c0100000000017299841738ffff000004000000080006eeb6ad02633df701380003006320070719235901040000000b02020016030200210402002c051e3737370000000000000000000000000000000000000000000000000000001105420000004212064d0000004d4d1307000000580058582504000000632a02000a2b040000001430011e310128637e')
    expect(m.header).toMatchObject({ edition: 2019, serial: 0xffff })
    const loc = decodeLocation(m.body)
    expect(loc.extras).toEqual({
      mileageKm: 1.1, fuelL: 2.2, recorderSpeedKmh: 3.3, manualAlarmEventId: 44, vehicleSignalStatus: 99, ioStatus: 10, analog: 20,
      signalStrength: 30, gnssSatellites: 40,
    })
    expect(loc.otherItems.map((i) => i.id)).toEqual([0x05, 0x11, 0x12, 0x13])
    const reply = encodePlatformResponse({ replySerial: m.header.serial, replyId: m.header.msgId, result: PlatformResult.ok })
    expect(encodeMessage({ msgId: MsgId.platformResponse, edition: 2019, phone: m.header.phone, serial: 0 }, reply))
      .toEqual(hex('7e8001400501000000000172998417380000ffff020000867e'))
  })

  it('2019 from a device with an ADAS (JT/T 1078 Jiangsu) item, go-jt808 protocol/model/example_test.go', () => {
    const m = frame('7E0200407D0201000000000202326095590A4F00002000004C100301E0D7F2073E6EAC0064021400142411271542300104000000CC020201D425040000000030010831010914040000007F150400000001160400000001170200011803000709642F0000001F000201323201000035006401E0D40A073E6AC4241127154210FFFF69643030303033241127154217000500767E')
    const loc = decodeLocation(m.body)
    expect(loc).toMatchObject({
      alarm: 8192, status: 4984835, lat: 31.512562, lon: 121.532076, altitudeM: 100, speedKmh: 53.2, direction: 20,
      time: '2024-11-27T07:42:30.000Z',
    })
    expect(loc.alarms.overspeedWarning).toBe(true)
    expect(loc.flags).toMatchObject({ acc: true, positioned: true, doorLocked: true, gps: true, beidou: true, glonass: false })
    expect(loc.otherItems.find((i) => i.id === 0x64)?.hex).toHaveLength(2 * 0x2f)
  })
})

describe('0x0704 batch upload', () => {
  it('2013, SmallChi JT808_0x0704Test.cs Test1 / Test2', () => {
    const src = '7E 07 04 00 53 11 22 33 44 55 66 22 B8 00 02 00 00 26 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28 00 3C 00 00 18 07 15 10 10 10 01 04 00 00 00 64 02 02 00 37 00 26 00 00 00 02 00 00 00 01 00 CB 73 55 07 E6 A3 23 00 29 00 36 00 78 18 07 15 10 10 30 01 04 00 00 00 60 02 02 00 42 D4 7E'
    const m = frame(src)
    const batch = decodeBatchLocation(m.body)
    expect(batch.type).toBe(0)
    expect(batch.locations).toHaveLength(2)
    expect(batch.locations[0]).toMatchObject({
      alarm: 1, status: 2, lat: 12.222222, lon: 132.444444, speedKmh: 6, direction: 0, time: '2018-07-15T02:10:10.000Z',
      extras: { mileageKm: 10, fuelL: 5.5 },
    })
    expect(batch.locations[1]).toMatchObject({
      alarm: 2, status: 1, lat: 13.333333, lon: 132.555555, speedKmh: 5.4, direction: 120, time: '2018-07-15T02:10:30.000Z',
      extras: { mileageKm: 9.6, fuelL: 6.6 },
    })
    expect(again(m, encodeBatchLocation(batch))).toEqual(hex(src))
  })

  it('2019 blind-zone re-upload, go-jt808 protocol/model/reply_test.go, and its 0x8001', () => {
    const m = frame('7e0704405d0100000000017299841738ffff000301001c000004000000080006eeb6ad02633df7013800030063200707192359001c000004000000080006eeb6ad02633df7013800030063200707192359001c000004000000080006eeb6ad02633df70138000300632007071923590e7e')
    const batch = decodeBatchLocation(m.body)
    expect(batch.type).toBe(1)
    expect(batch.locations).toHaveLength(3)
    expect(batch.locations.every((l) => l.time === '2020-07-07T11:23:59.000Z')).toBe(true)
    const reply = encodePlatformResponse({ replySerial: m.header.serial, replyId: m.header.msgId, result: PlatformResult.ok })
    expect(encodeMessage({ msgId: MsgId.platformResponse, edition: 2019, phone: m.header.phone, serial: 0 }, reply))
      .toEqual(hex('7e8001400501000000000172998417380000ffff070400877e'))
  })
})

describe('0x0201 location query response', () => {
  it('SmallChi JT808_0x0201Test.cs Test1 / Test2', () => {
    const src = '7E0201002811223344556622B83039000000010000000200BA7F0E07E4F11C0028003C000018071510101001040000006402020037517E'
    const m = frame(src)
    const r = decodeLocationQueryResponse(m.body)
    expect(r.replySerial).toBe(12345)
    expect(r.location).toMatchObject({ alarm: 1, status: 2, lat: 12.222222, lon: 132.444444, speedKmh: 6, extras: { mileageKm: 10, fuelL: 5.5 } })
    expect(again(m, encodeLocationQueryResponse(r.replySerial, r.location))).toEqual(hex(src))
  })
})

describe('0x0001 terminal response', () => {
  it('SmallChi JT808_0x0001Test.cs and go-jt808 parse_test.go', () => {
    const src = '7E0001000501234567890004B303E8000200D37E'
    const m = frame(src)
    expect(m.header.serial).toBe(1203)
    const r = decodeTerminalResponse(m.body)
    expect(r).toEqual({ replySerial: 1000, replyId: 0x0002, result: 0 })
    expect(again(m, encodeTerminalResponse(r))).toEqual(hex(src))
    expect(decodeTerminalResponse(frame('7e000100050123456789017fff007b01c803bd7e').body)).toEqual({ replySerial: 123, replyId: 456, result: 3 })
  })
})

describe('platform messages', () => {
  it('0x8001, SmallChi JT808_0x8001Test.cs and go-jt808 parse_test.go', () => {
    expect(decodePlatformResponse(frame('7E 80 01 00 05 01 23 45 67 89 00 00 0A 00 64 02 00 00 61 7E').body))
      .toEqual({ replySerial: 100, replyId: 0x0200, result: 0 })
    expect(decodePlatformResponse(frame('7e8001000501234567890100007fff0002008e7e').body)).toEqual({ replySerial: 32767, replyId: 2, result: 0 })
  })

  it('0x8100 with and without auth code, SmallChi JT808_0x8100Test.cs', () => {
    const h = { msgId: MsgId.registrationResponse, edition: 2013, phone: '12345678900', serial: 10 } as const
    const ok = '7E81000009012345678900000A006400313233343536687E'
    const refused = '7E81000003012345678900000A006404617E'
    expect(decodeRegistrationResponse(frame(ok).body)).toEqual({ replySerial: 100, result: 0, authCode: '123456' })
    expect(decodeRegistrationResponse(frame(refused).body)).toEqual({ replySerial: 100, result: RegistrationResult.terminalUnknown })
    expect(encodeMessage(h, encodeRegistrationResponse({ replySerial: 100, result: 0, authCode: '123456' }))).toEqual(hex(ok))
    expect(encodeMessage(h, encodeRegistrationResponse({ replySerial: 100, result: 4, authCode: 'ignored' }))).toEqual(hex(refused))
  })

  it('0x8300 in both editions, SmallChi JT808_0x8300Test.cs', () => {
    const src13 = '7E8300000D012345678900000105736D616C6C63686920353138027E'
    const src19 = '7E8300400E010000000001234567890000010501736D616C6C63686920353138417E'
    expect(decodeTextMessage(frame(src13).body, 2013)).toEqual({ flag: 5, text: 'smallchi 518' })
    expect(decodeTextMessage(frame(src19).body, 2019)).toEqual({ flag: 5, textType: 1, text: 'smallchi 518' })
    const h = { msgId: MsgId.textMessage, phone: '12345678900', serial: 1 }
    expect(encodeMessage({ ...h, edition: 2013 }, encodeTextMessage({ flag: 5, text: 'smallchi 518' }, 2013))).toEqual(hex(src13))
    expect(encodeMessage({ ...h, edition: 2019 }, encodeTextMessage({ flag: 5, textType: 1, text: 'smallchi 518' }, 2019))).toEqual(hex(src19))
  })
})

describe('subpackaged message', () => {
  it('joins the two packets of a 0x1205, SmallChi JT808HeaderPackageTest.cs', () => {
    const p1 = frame('7E120523A204066657506200EB00020001015A00000023012012191042052012191050190000000000000000000101064446D10120121910221720121910420500000000000000000001010F1FE8EB0120121910023420121910221700000000000000000001010F182D5C0120121909471120121910015500000000000000000001010B38F2430120121909274020121909471100000000000000000001010F056DB40120121909080920121909274000000000000000000001010F0724380120121908483820121909080900000000000000000001010F0530AB0120121908290720121908483800000000000000000001010F05896C0120121908093720121908290700000000000000000001010F02CD3B0120121907500520121908093700000000000000000001010F056FEF0120121907303420121907500500000000000000000001010F043C3401201219072541201219073034000000000000000000010103C26C5F0120121907061120121907254100000000000000000001010F03F0C10120121906464220121907061100000000000000000001010F02F6330120121906271220121906464200000000000000000001010F02E43B0120121906074220121906271200000000000000000001010F033D670120121905481120121906074200000000000000000001010F088BF20120121905284120121905481100000000000000000001010F03F9FE0120121905091020121905284100000000000000000001010F05B1040120121904494020121905091000000000000000000001010F02B3540120121904301020121904494000000000000000000001010F0417B00120121904103920121904301000000000000000000001010F0538970120121903510820121904103900000000000000000001010F054E9E0120121903313820121903510800000000000000000001010F016ECB0120121903120820121903313800000000000000000001010F0333C00120121902523820121903120700000000000000000001010F029D230120121902330720121902523700000000000000000001010F0354E40120121902133720121902330700000000000000000001010F03303D0120121901540720121902133700000000000000000001010F04981E0120121901343720121901540700000000000000000001010F02AD940120121901150820121901343700000000000000000001010EFFD7CF0120121900553720121901150800000000000000000001010F07D9330120121900360720121900553700000000000000000001010F040E740C7E')
    const p2 = frame('7E1205203804066657506200EC000200020120121900163320121900360700000000000000000001010F0CE4CD0120121900002220121900163300000000000000000001010C6F9E7B5D7E')
    expect(p1.header.packet).toEqual({ total: 2, index: 1 })
    const r = new Reassembler()
    expect(r.push(p2.header, p2.body, 0)).toBeNull()
    const whole = r.push(p1.header, p1.body, 1)
    expect(whole?.length).toBe(930 + 56)
    // 0x1205 body: reply serial, item count, 28 bytes per item
    expect(whole?.readUInt16BE(0)).toBe(0x015a)
    expect(whole?.readUInt32BE(2)).toBe((930 + 56 - 6) / 28)
  })
})
