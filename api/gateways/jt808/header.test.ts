import { describe, expect, it } from 'vitest'
import { FrameError, encodeFrame } from './frame.ts'
import {
  MAX_BODY_LENGTH, bcdToString, decodeFrame, decodeHeader, encodeHeader, encodeMessage, encodeSubpackaged, stringToBcd,
} from './header.ts'
import { MsgId } from './ids.ts'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const reasonOf = (fn: () => unknown): string => {
  try { fn() } catch (e) { if (e instanceof FrameError) return e.reason; throw e }
  throw new Error('did not throw')
}

describe('BCD', () => {
  it('keeps leading zeros and pads on the left', () => {
    expect(bcdToString(hex('000123456789'))).toBe('000123456789')
    expect(stringToBcd('13812345678', 6)).toEqual(hex('013812345678'))
    expect(stringToBcd('13812345678', 10)).toEqual(hex('00000000013812345678'))
    expect(stringToBcd('', 2)).toEqual(hex('0000'))
  })

  it('refuses what BCD cannot hold', () => {
    expect(() => stringToBcd('1234567890123', 6)).toThrow(RangeError)
    expect(() => stringToBcd('12a4', 6)).toThrow(RangeError)
  })

  it('reads nibbles above 9 as they are instead of losing them', () => {
    expect(bcdToString(hex('12ab'))).toBe('12ab')
  })
})

describe('decodeFrame headers of published frames', () => {
  it('2013: SmallChi/JT808 JT808_0x0200Test.cs Test5', () => {
    const { header, body } = decodeFrame(hex('7E 02 00 00 26 11 22 33 44 55 66 22 B8 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28 00 3C 00 00 18 07 15 10 10 10 01 04 00 00 00 64 02 02 00 37 57 7E'))
    expect(header).toEqual({
      msgId: 0x0200, bodyLength: 38, encrypted: false, edition: 2013, versionFlag: false, phone: '112233445566', serial: 8888,
    })
    expect(body.length).toBe(38)
  })

  it('2019: SmallChi/JT808 JT808_0x0100Test.cs Test2019_2', () => {
    const { header } = decodeFrame(hex('7E010040540100000000000123456789000A002800323132333400000000000000736D616C6C6368693132330000000000000000000000000000000000000043484931323300000000000000000000000000000000000000000000000001D4C1413132333435B27E'))
    // SmallChi asserts TerminalPhoneNo "123456789": it trims the zeros we keep
    expect(header).toEqual({
      msgId: 0x0100, bodyLength: 84, encrypted: false, edition: 2019, versionFlag: true, protocolVersion: 1,
      phone: '00000000000123456789', serial: 10,
    })
  })

  it('2019 with an escaped properties word: go-jt808 protocol/model/example_test.go', () => {
    // "40 7d 02" is the properties word 0x407e: 2019, body of 126 bytes
    const { header } = decodeFrame(hex('7E0200407D0201000000000202326095590A4F00002000004C100301E0D7F2073E6EAC0064021400142411271542300104000000CC020201D425040000000030010831010914040000007F150400000001160400000001170200011803000709642F0000001F000201323201000035006401E0D40A073E6AC4241127154210FFFF69643030303033241127154217000500767E'))
    expect(header).toMatchObject({ msgId: 0x0200, bodyLength: 126, edition: 2019, protocolVersion: 1, phone: '00000000020232609559', serial: 0x0a4f })
  })

  it('a serial escaped in the frame: SmallChi/JT808 src/JT808.Protocol.Test/Extensions/JT808EscapeTest.cs at 523894fd (since removed)', () => {
    // serial 0x007e sent as 00 7d 02, fuel 0x007d as 00 7d 01
    const { header, body } = decodeFrame(hex('7E02000026123456789012007D02000000010000000200BA7F0E07E4F11C0028003C00001810151010100104000000640202007D01137E'))
    expect(header).toMatchObject({ phone: '123456789012', serial: 0x7e })
    expect(body.subarray(-2)).toEqual(hex('007d'))
  })

  it('subpackaged: SmallChi/JT808 JT808HeaderPackageTest.cs, packet 2 of 2', () => {
    const { header, body } = decodeFrame(hex('7E1205203804066657506200EC000200020120121900163320121900360700000000000000000001010F0CE4CD0120121900002220121900163300000000000000000001010C6F9E7B5D7E'))
    expect(header).toEqual({
      msgId: 0x1205, bodyLength: 56, encrypted: false, edition: 2013, versionFlag: false, phone: '040666575062', serial: 0xec,
      packet: { total: 2, index: 2 },
    })
    expect(body.length).toBe(56)
  })

  it('reads a 2013 header behind a set version flag when only the 2013 length fits', () => {
    // SmallChi/JT808 JT808_0x0200Test.cs Test5_3 ("JTT2013Force"): bit 14 set, 2013 layout
    const { header, body } = decodeFrame(hex('7E0102400C01003000068109024A3130303330303030363831857E'))
    expect(header).toEqual({
      msgId: 0x0102, bodyLength: 12, encrypted: false, edition: 2013, versionFlag: true, phone: '010030000681', serial: 0x0902,
    })
    expect(body.toString('latin1')).toBe('J10030000681')
  })
})

describe('FrameError reasons', () => {
  const good = hex('7E00020000012345678900000A817E') // SmallChi JT808_0x0002Test.cs Test1

  it('empty', () => {
    expect(reasonOf(() => decodeFrame(hex('')))).toBe('empty')
    expect(reasonOf(() => decodeFrame(hex('7e7e')))).toBe('empty')
  })

  it('badEscape', () => {
    expect(reasonOf(() => decodeFrame(hex('7e 0002 7d03 7e')))).toBe('badEscape')
  })

  it('badCheckCode', () => {
    const bad = Buffer.from(good)
    bad[bad.length - 2] ^= 1
    expect(reasonOf(() => decodeFrame(bad))).toBe('badCheckCode')
  })

  it('truncated: shorter than a header', () => {
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0002 0000 0123456789'))))).toBe('truncated')
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('00'))))).toBe('truncated')
    // subpackage bit set, packet fields missing
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0002 2000 012345678900 000A'))))).toBe('truncated')
  })

  it('badBodyLength: the properties word disagrees with the frame', () => {
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0002 0001 012345678900 000A'))))).toBe('badBodyLength')
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0002 0000 012345678900 000A 55'))))).toBe('badBodyLength')
  })

  it('badPacket: index 0, or beyond total', () => {
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0200 2000 012345678900 000A 0002 0000'))))).toBe('badPacket')
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0200 2000 012345678900 000A 0002 0003'))))).toBe('badPacket')
    expect(reasonOf(() => decodeFrame(encodeFrame(hex('0200 2000 012345678900 000A 0000 0000'))))).toBe('badPacket')
  })

  it('oversized: more escaped bytes than any frame can have', () => {
    expect(reasonOf(() => decodeFrame(Buffer.alloc(3000, 0x7d)))).toBe('oversized')
  })
})

describe('encodeMessage', () => {
  it('reproduces published frames byte for byte, both editions', () => {
    // SmallChi/JT808 JT808_0x8001Test.cs Test1
    expect(encodeMessage({ msgId: MsgId.platformResponse, edition: 2013, phone: '12345678900', serial: 10 }, hex('0064 0200 00')))
      .toEqual(hex('7E80010005012345678900000A0064020000617E'))
    // go-jt808 protocol/model/reply_test.go, reply to the 2019 heartbeat
    expect(encodeMessage({ msgId: MsgId.platformResponse, edition: 2019, phone: '17299841738', serial: 0 }, hex('ffff 0002 00')))
      .toEqual(hex('7e8001400501000000000172998417380000ffff000200867e'))
    // SmallChi/JT808 JT808_0x0002Test.cs Test3, check code escaped
    expect(encodeMessage({ msgId: MsgId.heartbeat, edition: 2013, phone: '40021679287', serial: 43 }))
      .toEqual(hex('7E 00 02 00 00 04 00 21 67 92 87 00 2B 7D 02 7E'))
  })

  it('round-trips every header field, both editions', () => {
    for (const edition of [2013, 2019] as const) {
      const input = {
        msgId: 0x7e7d, edition, phone: '13800138000',
        serial: 0x7d7e, protocolVersion: edition === 2019 ? 0x7e : undefined, packet: { total: 0x7e7e, index: 0x7d7d }, encrypted: true,
      }
      const body = hex('7e7d7e')
      const { header, body: got } = decodeFrame(encodeMessage(input, body))
      expect(got).toEqual(body)
      expect(header).toEqual({
        msgId: 0x7e7d, bodyLength: 3, encrypted: true, edition, versionFlag: edition === 2019,
        ...(edition === 2019 ? { protocolVersion: 0x7e } : {}),
        phone: edition === 2013 ? '013800138000' : '00000000013800138000', serial: 0x7d7e, packet: { total: 0x7e7e, index: 0x7d7d },
      })
    }
  })

  it('defaults the 2019 protocol version to 1', () => {
    expect(decodeFrame(encodeMessage({ msgId: 2, edition: 2019, phone: '1', serial: 0 })).header.protocolVersion).toBe(1)
  })

  it('refuses a body over 1023 bytes, and bad fields', () => {
    const h = { msgId: 0x0200, edition: 2013, phone: '13812345678', serial: 1 } as const
    expect(encodeMessage(h, Buffer.alloc(MAX_BODY_LENGTH)).length).toBeGreaterThan(MAX_BODY_LENGTH)
    expect(() => encodeMessage(h, Buffer.alloc(MAX_BODY_LENGTH + 1))).toThrow(RangeError)
    expect(() => encodeMessage({ ...h, serial: 65536 })).toThrow(RangeError)
    expect(() => encodeMessage({ ...h, phone: '1234567890123' })).toThrow(RangeError)
    expect(() => encodeHeader({ ...h, packet: { total: 2, index: 3 } }, 0)).toThrow(RangeError)
  })
})

describe('encodeSubpackaged', () => {
  const h = { msgId: 0x0704, edition: 2019, phone: '13812345678', serial: 65534 } as const

  it('cuts a long body into packets with consecutive, wrapping serials', () => {
    const body = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 256))
    const frames = encodeSubpackaged(h, body)
    expect(frames).toHaveLength(3)
    const decoded = frames.map((f) => decodeFrame(f))
    expect(decoded.map((d) => d.header.serial)).toEqual([65534, 65535, 0])
    expect(decoded.map((d) => d.header.packet)).toEqual([{ total: 3, index: 1 }, { total: 3, index: 2 }, { total: 3, index: 3 }])
    expect(decoded.map((d) => d.body.length)).toEqual([1023, 1023, 454])
    expect(Buffer.concat(decoded.map((d) => d.body))).toEqual(body)
  })

  it('honours a smaller packet size', () => {
    const frames = encodeSubpackaged(h, Buffer.alloc(10, 0x7e), 4)
    expect(frames.map((f) => decodeFrame(f).body.length)).toEqual([4, 4, 2])
  })

  it('sends a body that fits as one plain message', () => {
    const frames = encodeSubpackaged(h, Buffer.alloc(1023))
    expect(frames).toHaveLength(1)
    expect(decodeFrame(frames[0]).header.packet).toBeUndefined()
  })
})
