// A small QR code encoder (ISO/IEC 18004) for the desk's display links: byte mode, error
// correction level M, versions 1–10 (up to 213 bytes: a link is well under 100). No package in
// the project makes QR codes and the desk loads nothing from elsewhere, so the few rules needed
// are here, after Project Nayuki's reference (MIT). Tested by reading the matrix back (qr.test.ts).

/** level M's blocks per version: [EC codewords per block, [count, data codewords] per group] */
export const BLOCKS: readonly [number, readonly (readonly [number, number])[]][] = [
  [10, [[1, 16]]], [16, [[1, 28]]], [26, [[1, 44]]], [18, [[2, 32]]], [24, [[2, 43]]],
  [16, [[4, 27]]], [18, [[4, 31]]], [22, [[2, 38], [2, 39]]], [22, [[3, 36], [2, 37]]], [26, [[4, 43], [1, 44]]],
]
export const ALIGN: readonly (readonly number[])[] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]
/** level M's two format bits */
const LEVEL_M = 0

export interface QrCode {
  version: number
  size: number
  mask: number
  /** modules[y][x], true = dark */
  modules: boolean[][]
}

const dataCapacity = (v: number) => BLOCKS[v - 1][1].reduce((n, [count, len]) => n + count * len, 0)

/** GF(2^8) product modulo x^8 + x^4 + x^3 + x^2 + 1 */
export function gfMul(x: number, y: number): number {
  let z = 0
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d)
    z ^= ((y >>> i) & 1) * x
  }
  return z & 0xff
}

function rsDivisor(degree: number): number[] {
  const r = new Array<number>(degree).fill(0)
  r[degree - 1] = 1
  let root = 1
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      r[j] = gfMul(r[j], root)
      if (j + 1 < degree) r[j] ^= r[j + 1]
    }
    root = gfMul(root, 2)
  }
  return r
}

export function rsRemainder(data: readonly number[], degree: number): number[] {
  const divisor = rsDivisor(degree)
  const r = new Array<number>(degree).fill(0)
  for (const b of data) {
    const factor = b ^ (r.shift() as number)
    r.push(0)
    divisor.forEach((c, i) => (r[i] ^= gfMul(c, factor)))
  }
  return r
}

/** the data codewords: mode, length, bytes, terminator, padding */
function dataCodewords(bytes: Uint8Array, version: number): number[] {
  const bits: number[] = []
  const put = (value: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1)
  }
  put(0b0100, 4)
  put(bytes.length, version < 10 ? 8 : 16)
  for (const b of bytes) put(b, 8)
  const capacity = dataCapacity(version) * 8
  put(0, Math.min(4, capacity - bits.length))
  put(0, (8 - (bits.length % 8)) % 8)
  const out: number[] = []
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0))
  for (let pad = 0xec; out.length < capacity / 8; pad ^= 0xec ^ 0x11) out.push(pad)
  return out
}

/** data and error correction codewords, interleaved block by block */
export function codewords(data: readonly number[], version: number): number[] {
  const [ecLen, groups] = BLOCKS[version - 1]
  const blocks: { data: number[]; ec: number[] }[] = []
  let at = 0
  for (const [count, len] of groups) {
    for (let i = 0; i < count; i++) {
      const d = data.slice(at, at + len)
      at += len
      blocks.push({ data: d, ec: rsRemainder(d, ecLen) })
    }
  }
  const out: number[] = []
  const longest = Math.max(...blocks.map((b) => b.data.length))
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i])
  for (let i = 0; i < ecLen; i++) for (const b of blocks) out.push(b.ec[i])
  return out
}

export const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
]

export function formatBits(mask: number): number {
  const data = (LEVEL_M << 3) | mask
  let rem = data
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537)
  return ((data << 10) | rem) ^ 0x5412
}

/** the modules of everything but the data: finders, timing, alignment, format and version areas */
function functionPatterns(version: number) {
  const size = version * 4 + 17
  const modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  const fixed = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  const set = (x: number, y: number, dark: boolean) => {
    modules[y][x] = dark
    fixed[y][x] = true
  }
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0)
    set(i, 6, i % 2 === 0)
  }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx
        const y = cy + dy
        const d = Math.max(Math.abs(dx), Math.abs(dy))
        if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, d !== 2 && d !== 4)
      }
    }
  }
  const align = ALIGN[version - 1]
  align.forEach((cx, i) => align.forEach((cy, j) => {
    if ((i === 0 && j === 0) || (i === 0 && j === align.length - 1) || (i === align.length - 1 && j === 0)) return
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1)
  }))
  drawFormat(modules, fixed, 0)
  if (version >= 7) {
    let rem = version
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25)
    const bits = (version << 12) | rem
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1
      const a = size - 11 + (i % 3)
      const b = Math.floor(i / 3)
      set(a, b, dark)
      set(b, a, dark)
    }
  }
  return { size, modules, fixed }
}

function drawFormat(modules: boolean[][], fixed: boolean[][], mask: number): void {
  const size = modules.length
  const bits = formatBits(mask)
  const bit = (i: number) => ((bits >>> i) & 1) === 1
  const set = (x: number, y: number, dark: boolean) => {
    modules[y][x] = dark
    fixed[y][x] = true
  }
  for (let i = 0; i <= 5; i++) set(8, i, bit(i))
  set(8, 7, bit(6))
  set(8, 8, bit(7))
  set(7, 8, bit(8))
  for (let i = 9; i < 15; i++) set(14 - i, 8, bit(i))
  for (let i = 0; i < 8; i++) set(size - 1 - i, 8, bit(i))
  for (let i = 8; i < 15; i++) set(8, size - 15 + i, bit(i))
  set(8, size - 8, true)
}

/** the data modules in their zigzag order, two columns at a time from the bottom right */
export function dataPositions(fixed: readonly (readonly boolean[])[]): [number, number][] {
  const size = fixed.length
  const out: [number, number][] = []
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j
        const upward = ((right + 1) & 2) === 0
        const y = upward ? size - 1 - vert : vert
        if (!fixed[y][x]) out.push([x, y])
      }
    }
  }
  return out
}

function penalty(m: readonly (readonly boolean[])[]): number {
  const size = m.length
  let score = 0
  const line = (get: (i: number) => boolean) => {
    let run = 1
    let s = 0
    for (let i = 1; i <= size; i++) {
      if (i < size && get(i) === get(i - 1)) run++
      else {
        if (run >= 5) s += 3 + (run - 5)
        run = 1
      }
    }
    // finder-like 1:1:3:1:1 with four light modules on a side
    const row = Array.from({ length: size }, (_, i) => (get(i) ? 1 : 0)).join('')
    for (const p of ['10111010000', '00001011101']) for (let i = row.indexOf(p); i >= 0; i = row.indexOf(p, i + 1)) s += 40
    return s
  }
  for (let y = 0; y < size; y++) score += line((x) => m[y][x])
  for (let x = 0; x < size; x++) score += line((y) => m[y][x])
  for (let y = 0; y + 1 < size; y++) {
    for (let x = 0; x + 1 < size; x++) {
      const c = m[y][x]
      if (c === m[y][x + 1] && c === m[y + 1][x] && c === m[y + 1][x + 1]) score += 3
    }
  }
  const dark = m.reduce((n, r) => n + r.filter(Boolean).length, 0)
  score += Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5) * 10
  return score
}

/** Encodes text (UTF-8) as the smallest QR code of level M that holds it, with the best mask. */
export function encodeQr(text: string): QrCode {
  const bytes = new TextEncoder().encode(text)
  const version = BLOCKS.findIndex((_, i) => 4 + (i + 1 < 10 ? 8 : 16) + bytes.length * 8 <= dataCapacity(i + 1) * 8) + 1
  if (version === 0) throw new Error(`too long for a QR code of version 10 (${bytes.length} bytes)`)
  const words = codewords(dataCodewords(bytes, version), version)
  const { size, modules, fixed } = functionPatterns(version)
  const positions = dataPositions(fixed)
  positions.forEach(([x, y], i) => (modules[y][x] = i < words.length * 8 && ((words[i >>> 3] >>> (7 - (i & 7))) & 1) === 1))
  let best: QrCode | null = null
  let bestScore = Infinity
  for (let mask = 0; mask < 8; mask++) {
    const m = modules.map((r) => [...r])
    const f = fixed.map((r) => [...r])
    for (const [x, y] of positions) if (MASKS[mask](x, y)) m[y][x] = !m[y][x]
    drawFormat(m, f, mask)
    const s = penalty(m)
    if (s < bestScore) {
      bestScore = s
      best = { version, size, mask, modules: m }
    }
  }
  return best!
}

/** the code as an SVG path of its dark modules (one path: small, crisp at any size), with a 4-module quiet zone */
export function qrPath(code: QrCode): { viewBox: string; d: string } {
  const parts: string[] = []
  code.modules.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) parts.push(`M${x + 4} ${y + 4}h1v1h-1z`)
  }))
  return { viewBox: `0 0 ${code.size + 8} ${code.size + 8}`, d: parts.join('') }
}
