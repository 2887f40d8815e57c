import { describe, expect, it } from 'vitest'
import { ALIGN, BLOCKS, codewords, dataPositions, encodeQr, formatBits, MASKS, rsRemainder } from './qr.ts'

// Reads a code back as a scanner would: the format bits (level M, the mask), the data modules in
// their zigzag order with the mask taken off, the blocks checked against their error correction,
// and the bytes of the text.
function readBack(code: ReturnType<typeof encodeQr>): { text: string; mask: number; blocksOk: boolean } {
  const m = code.modules
  const size = code.size
  const bit = (x: number, y: number) => (m[y][x] ? 1 : 0)
  let format = 0
  const first = [[8, 0], [8, 1], [8, 2], [8, 3], [8, 4], [8, 5], [8, 7], [8, 8], [7, 8], [5, 8], [4, 8], [3, 8], [2, 8], [1, 8], [0, 8]]
  first.forEach(([x, y], i) => (format |= bit(x, y) << i))
  const mask = [0, 1, 2, 3, 4, 5, 6, 7].find((k) => formatBits(k) === format)!
  // the second copy says the same
  let second = 0
  for (let i = 0; i < 8; i++) second |= bit(size - 1 - i, 8) << i
  for (let i = 8; i < 15; i++) second |= bit(8, size - 15 + i) << i
  expect(second).toBe(format)
  const fixed = fixedOf(code)
  const bits = dataPositions(fixed).map(([x, y]) => bit(x, y) ^ (MASKS[mask](x, y) ? 1 : 0))
  const words: number[] = []
  for (let i = 0; i + 8 <= bits.length; i += 8) words.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0))
  // the blocks taken apart again: data codewords interleaved, then error correction codewords
  const [ec, groups] = BLOCKS[code.version - 1]
  const lengths = groups.flatMap(([count, len]) => new Array<number>(count).fill(len))
  const blocks = lengths.map(() => ({ data: [] as number[], ec: [] as number[] }))
  let at = 0
  for (let i = 0; i < Math.max(...lengths); i++) blocks.forEach((b, k) => i < lengths[k] && b.data.push(words[at++]))
  for (let i = 0; i < ec; i++) blocks.forEach((b) => b.ec.push(words[at++]))
  const blocksOk = blocks.every((b) => JSON.stringify(rsRemainder(b.data, ec)) === JSON.stringify(b.ec))
  const data = blocks.flatMap((b) => b.data)
  const dataBits = data.flatMap((w) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (w >>> i) & 1))
  const num = (from: number, n: number) => dataBits.slice(from, from + n).reduce((a, b) => (a << 1) | b, 0)
  expect(num(0, 4)).toBe(0b0100)
  const wide = code.version >= 10 ? 16 : 8
  const length = num(4, wide)
  const bytes = Uint8Array.from({ length }, (_, i) => num(4 + wide + i * 8, 8))
  return { text: new TextDecoder().decode(bytes), mask, blocksOk }
}

/** the function modules of a code's version, as the encoder lays them (finders, timing, alignment, format, dark module) */
function fixedOf(code: ReturnType<typeof encodeQr>): boolean[][] {
  const size = code.size
  const f = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  for (let i = 0; i < size; i++) f[6][i] = f[i][6] = true
  for (const [x0, y0] of [[0, 0], [size - 8, 0], [0, size - 8]]) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) f[y0 + y][x0 + x] = true
  const align = ALIGN[code.version - 1]
  for (const cx of align) for (const cy of align) {
    if ((cx === 6 && cy === 6) || (cx === 6 && cy === align.at(-1)) || (cx === align.at(-1) && cy === 6)) continue
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) f[cy + dy][cx + dx] = true
  }
  for (let i = 0; i < 9; i++) f[8][i] = f[i][8] = true
  for (let i = 0; i < 8; i++) f[8][size - 1 - i] = f[size - 1 - i][8] = true
  // version information, from version 7: two 6×3 areas beside the finders
  if (code.version >= 7) for (let i = 0; i < 18; i++) f[Math.floor(i / 3)][size - 11 + (i % 3)] = f[size - 11 + (i % 3)][Math.floor(i / 3)] = true
  return f
}

describe('QR codes for display links', () => {
  it('read back as the text they encode, each block matching its error correction', () => {
    const texts = ['大屏', 'http://localhost:3000/#pair=abc', 'https://10.0.0.8:3000/#pair=Qm9nVXNGZ0x6S3JqYWJjZA',
      `https://zhihui-wangge.example.cn:8443/?tour=${encodeURIComponent('日常轮播')}#pair=Qm9nVXNGZ0x6S3JqYWJjZA`, 'x'.repeat(150), 'y'.repeat(210)]
    const versions = new Set<number>()
    for (const text of texts) {
      const code = encodeQr(text)
      expect(code.size).toBe(code.version * 4 + 17)
      const back = readBack(code)
      expect(back.text).toBe(text)
      expect(back.mask).toBe(code.mask)
      expect(back.blocksOk).toBe(true)
      versions.add(code.version)
    }
    // one block and several, short and long groups, with and without version information
    expect([...versions].sort((a, b) => a - b)).toEqual([1, 3, 4, 7, 8, 10])
  })

  it('draws the three finder patterns and the timing lines', () => {
    const { modules: m, size } = encodeQr('http://localhost:3000/#pair=abc')
    const finder = ['1111111', '1000001', '1011101', '1011101', '1011101', '1000001', '1111111']
    for (const [x0, y0] of [[0, 0], [size - 7, 0], [0, size - 7]]) {
      expect(finder.map((_, y) => m[y0 + y].slice(x0, x0 + 7).map((d) => (d ? '1' : '0')).join(''))).toEqual(finder)
    }
    for (let i = 8; i < size - 8; i++) expect([m[6][i], m[i][6]]).toEqual([i % 2 === 0, i % 2 === 0])
  })

  it('computes error correction as the standard does (the example of ISO/IEC 18004 annex I, version 1-M)', () => {
    // "01234567" in numeric mode, 1-M: its 16 data codewords and 10 error correction codewords
    const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11]
    expect(codewords(data, 1).slice(16)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55])
  })

  it('refuses a text no version up to 10 holds', () => {
    expect(() => encodeQr('x'.repeat(300))).toThrow(/too long/)
  })
})
