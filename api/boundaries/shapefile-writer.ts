import { crc32, deflateRaw } from 'node:zlib'
import { promisify } from 'node:util'

/**
 * Shapefiles for the county's GIS (the export) and for the tests: polygons as the format says
 * (outer rings clockwise; the caller hands them oriented, e.g. PostGIS's ST_ForcePolygonCW),
 * a dBASE table in UTF-8 (with a .cpg saying so) or GBK, zipped. Written here rather than with
 * @mapbox/shp-write: its dBASE writer keeps one byte per character, which cuts every Chinese
 * name, and it zips through JSZip; this is the format's fixed layout, a hundred lines.
 */

export type Ring = [number, number][]
export interface ShapeRecord {
  /** polygons, each an outer ring then holes; rings closed */
  polygons: Ring[][]
}

function header(length: number, bbox: [number, number, number, number]): Buffer {
  const h = Buffer.alloc(100)
  h.writeInt32BE(9994, 0)
  h.writeInt32BE(length / 2, 24)
  h.writeInt32LE(1000, 28)
  h.writeInt32LE(5, 32)
  bbox.forEach((v, i) => h.writeDoubleLE(v, 36 + i * 8))
  return h
}

/** The .shp and its index .shx. */
export function writeShp(records: ShapeRecord[]): { shp: Buffer; shx: Buffer } {
  const all = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number]
  const bodies = records.map((f) => {
    const rings = f.polygons.flat()
    const points = rings.flat()
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
    for (const [x, y] of points) {
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
    all[0] = Math.min(all[0], minX)
    all[1] = Math.min(all[1], minY)
    all[2] = Math.max(all[2], maxX)
    all[3] = Math.max(all[3], maxY)
    const b = Buffer.alloc(44 + rings.length * 4 + points.length * 16)
    b.writeInt32LE(5, 0)
    ;[minX, minY, maxX, maxY].forEach((v, i) => b.writeDoubleLE(v, 4 + i * 8))
    b.writeInt32LE(rings.length, 36)
    b.writeInt32LE(points.length, 40)
    let start = 0
    rings.forEach((r, i) => {
      b.writeInt32LE(start, 44 + i * 4)
      start += r.length
    })
    const at = 44 + rings.length * 4
    points.forEach(([x, y], i) => {
      b.writeDoubleLE(x, at + i * 16)
      b.writeDoubleLE(y, at + i * 16 + 8)
    })
    return b
  })
  const bbox = records.length ? all : ([0, 0, 0, 0] as [number, number, number, number])
  const parts: Buffer[] = []
  const index = Buffer.alloc(bodies.length * 8)
  let offset = 100
  bodies.forEach((b, i) => {
    const rh = Buffer.alloc(8)
    rh.writeInt32BE(i + 1, 0)
    rh.writeInt32BE(b.length / 2, 4)
    parts.push(rh, b)
    index.writeInt32BE(offset / 2, i * 8)
    index.writeInt32BE(b.length / 2, i * 8 + 4)
    offset += 8 + b.length
  })
  return { shp: Buffer.concat([header(offset, bbox), ...parts]), shx: Buffer.concat([header(100 + index.length, bbox), index]) }
}

/** A dBASE III table: text fields in the given encoding, numbers as N; `ldid` as ArcGIS sets it. */
export function writeDbf(rows: Record<string, string | number>[], encode: (s: string) => Buffer, ldid = 0, fieldNames?: string[]): Buffer {
  const names = fieldNames ?? Object.keys(rows[0] ?? {})
  const fields = names.map((name) => {
    const numeric = rows.length > 0 && rows.every((r) => typeof r[name] === 'number')
    const width = numeric ? 18 : Math.max(1, ...rows.map((r) => encode(String(r[name] ?? '')).length))
    return { name, numeric, width: Math.min(254, width) }
  })
  const headerLength = 32 + fields.length * 32 + 1
  const recordLength = 1 + fields.reduce((s, f) => s + f.width, 0)
  const b = Buffer.alloc(headerLength + rows.length * recordLength + 1, 0x20)
  b.fill(0, 0, headerLength)
  b[0] = 0x03
  const now = new Date()
  b[1] = now.getUTCFullYear() - 1900
  b[2] = now.getUTCMonth() + 1
  b[3] = now.getUTCDate()
  b.writeUInt32LE(rows.length, 4)
  b.writeUInt16LE(headerLength, 8)
  b.writeUInt16LE(recordLength, 10)
  b[29] = ldid
  fields.forEach((f, i) => {
    const at = 32 + i * 32
    encode(f.name).copy(b, at, 0, 10)
    b[at + 11] = (f.numeric ? 'N' : 'C').charCodeAt(0)
    b[at + 16] = f.width
    b[at + 17] = f.numeric ? 6 : 0
  })
  b[headerLength - 1] = 0x0d
  rows.forEach((r, i) => {
    let at = headerLength + i * recordLength
    b[at++] = 0x20
    for (const f of fields) {
      const v = r[f.name]
      const text = f.numeric ? String(v).padStart(f.width) : String(v ?? '')
      // a text cut at the field's width must not end inside a character
      let bytes = encode(text)
      if (bytes.length > f.width) bytes = encode(cut(text, f.width, encode))
      bytes.copy(b, at, 0, f.width)
      at += f.width
    }
  })
  b[b.length - 1] = 0x1a
  return b
}

function cut(text: string, width: number, encode: (s: string) => Buffer): string {
  let s = text
  while (s && encode(s).length > width) s = s.slice(0, -1)
  return s
}

const deflate = promisify(deflateRaw)

/** A zip of the given files, deflated off the event loop (zlib's thread pool). */
export async function writeZip(files: Record<string, Buffer | string>): Promise<Buffer> {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')
    const packed = await deflate(data)
    const nameBytes = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // names in UTF-8
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, packed)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + packed.length
  }
  const dir = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(files).length, 8)
  end.writeUInt16LE(Object.keys(files).length, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dir, end])
}

/** ESRI's WKT for WGS 84, as ArcGIS writes a .prj. */
export const WGS84_PRJ = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
