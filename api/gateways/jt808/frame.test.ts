import { describe, expect, it } from 'vitest'
import { FrameError, FrameSplitter, MAX_ESCAPED_FRAME, checkCode, encodeFrame, escape, unescape, type FrameDrop } from './frame.ts'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const reasonOf = (fn: () => unknown): string => {
  try { fn() } catch (e) { if (e instanceof FrameError) return e.reason; throw e }
  throw new Error('did not throw')
}

describe('escape / unescape', () => {
  it('follows the escape example of the standard', () => {
    // "30 7e 08 7d 55" is sent as "30 7d 02 08 7d 01 55"
    expect(escape(hex('30 7e 08 7d 55'))).toEqual(hex('30 7d 02 08 7d 01 55'))
    expect(unescape(hex('30 7d 02 08 7d 01 55'))).toEqual(hex('30 7e 08 7d 55'))
  })

  it('round-trips every byte value, including runs of 7e and 7d', () => {
    const all = Buffer.from([...Array(256).keys(), 0x7e, 0x7e, 0x7d, 0x7d, 0x7e, 0x7d])
    const escaped = escape(all)
    expect(escaped.includes(0x7e)).toBe(false)
    expect(escaped.length).toBe(all.length + 8)
    expect(unescape(escaped)).toEqual(all)
  })

  it('matches go-jt808 unescape cases', () => {
    // cuteLittleDevil/go-jt808 protocol/jt808/packet_codec_test.go, Test_unescape
    expect(unescape(hex('02007d0100107d02'))).toEqual(hex('02007d00107e'))
    expect(reasonOf(() => unescape(hex('02007d03')))).toBe('badEscape')
  })

  it('refuses a 0x7d that ends the frame, and a bare 0x7e', () => {
    expect(reasonOf(() => unescape(hex('0102 7d')))).toBe('badEscape')
    expect(reasonOf(() => unescape(hex('01 7e 02')))).toBe('badEscape')
  })
})

describe('checkCode and encodeFrame', () => {
  it('XORs every byte', () => {
    expect(checkCode(hex(''))).toBe(0)
    expect(checkCode(hex('01 02 04 08'))).toBe(0x0f)
    // SmallChi/JT808 src/JT808.Protocol.Test/MessageBody/JT808_0x0002Test.cs Test1: check code 0x81
    expect(checkCode(hex('00020000012345678900000A'))).toBe(0x81)
  })

  it('wraps, checks and escapes, also a check code that is 0x7e', () => {
    // SmallChi/JT808 src/JT808.Protocol.Test/MessageBody/JT808_0x0002Test.cs Test3: the check
    // code of this heartbeat is 0x7e and goes out as 7d 02
    expect(encodeFrame(hex('0002 0000 040021679287 002B'))).toEqual(hex('7E 00 02 00 00 04 00 21 67 92 87 00 2B 7D 02 7E'))
  })
})

describe('FrameSplitter', () => {
  // SmallChi/JT808 JT808_0x0002Test.cs (Test1, Test3) and JT808_0x8001Test.cs
  const frames = [
    hex('7E00020000012345678900000A817E'),
    hex('7E 00 02 00 00 04 00 21 67 92 87 00 2B 7D 02 7E'),
    hex('7E80010005012345678900000A0064020000617E'),
  ]
  const contents = frames.map((f) => f.subarray(1, -1))
  const stream = Buffer.concat(frames)

  it('yields several frames from one chunk', () => {
    const s = new FrameSplitter()
    expect(s.push(stream)).toEqual(contents)
    expect(s.pendingBytes).toBe(0)
    expect(s.stats.frames).toBe(3)
  })

  it('yields the same frames however the stream is cut in two', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = new FrameSplitter()
      const got = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))]
      expect(got, `cut at ${cut}`).toEqual(contents)
    }
  })

  it('yields the same frames when fed one byte at a time', () => {
    const s = new FrameSplitter()
    const got: Buffer[] = []
    for (const b of stream) got.push(...s.push(Buffer.of(b)))
    expect(got).toEqual(contents)
  })

  it('keeps frames intact when the caller reuses its chunk buffer', () => {
    const s = new FrameSplitter()
    const chunk = Buffer.from(stream.subarray(0, 8))
    const got = s.push(chunk)
    chunk.fill(0)
    got.push(...s.push(stream.subarray(8)))
    expect(got).toEqual(contents)
  })

  it('drops junk before the first 0x7e and reports it', () => {
    const drops: FrameDrop[] = []
    const s = new FrameSplitter({ onDrop: (d) => drops.push(d) })
    expect(s.push(hex('0102'))).toEqual([])
    expect(s.push(Buffer.concat([hex('03'), frames[0]]))).toEqual([contents[0]])
    expect(drops).toEqual([{ reason: 'junk', bytes: 2 }, { reason: 'junk', bytes: 1 }])
    expect(s.stats.junkBytes).toBe(3)
  })

  it('skips the empty frames between consecutive 0x7e', () => {
    const s = new FrameSplitter()
    expect(s.push(Buffer.concat([hex('7e7e7e'), frames[0], hex('7e7e'), frames[1]]))).toEqual(contents.slice(0, 2))
  })

  it('also splits frames that share one delimiter', () => {
    const s = new FrameSplitter()
    expect(s.push(Buffer.concat([frames[0], frames[1].subarray(1)]))).toEqual(contents.slice(0, 2))
  })

  it('discards a frame longer than maxFrameBytes up to the next 0x7e, and carries on', () => {
    const drops: FrameDrop[] = []
    const s = new FrameSplitter({ maxFrameBytes: 32, onDrop: (d) => drops.push(d) })
    const big = Buffer.alloc(100, 0x11)
    const got = [
      ...s.push(Buffer.concat([frames[0], hex('7e'), big.subarray(0, 20)])),
      ...s.push(big.subarray(20, 60)),
    ]
    // reported as soon as it is too long, not only once a 0x7e shows up
    expect(drops).toEqual([{ reason: 'oversized', bytes: 60 }])
    expect(s.pendingBytes).toBe(0)
    got.push(...s.push(Buffer.concat([big.subarray(60), hex('7e'), frames[1]])))
    expect(got).toEqual(contents.slice(0, 2))
    expect(s.stats).toEqual({ frames: 2, oversized: 1, junkBytes: 0, oversizedBytes: 100 })
  })

  it('drops a too long frame even when it arrives whole', () => {
    const s = new FrameSplitter({ maxFrameBytes: 16 })
    expect(s.push(Buffer.concat([hex('7e'), Buffer.alloc(17, 1), frames[0]]))).toEqual([contents[0]])
    expect(s.stats.oversized).toBe(1)
  })

  it('holds no more than maxFrameBytes of a peer that never sends 0x7e', () => {
    const s = new FrameSplitter()
    s.push(hex('7e'))
    for (let i = 0; i < 100; i++) {
      s.push(Buffer.alloc(1000, 0x55))
      expect(s.pendingBytes).toBeLessThanOrEqual(MAX_ESCAPED_FRAME)
    }
    expect(s.stats.oversized).toBe(1)
  })

  it('accepts a frame of exactly maxFrameBytes', () => {
    const s = new FrameSplitter({ maxFrameBytes: 4 })
    expect(s.push(hex('7e 01020304 7e'))).toEqual([hex('01020304')])
  })
})
