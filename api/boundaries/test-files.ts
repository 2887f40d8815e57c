import { deflateRawSync, crc32 } from 'node:zlib'
import iconv from 'iconv-lite'

// Boundary files as other offices' software writes them, made by the tests (and the e2e) with
// code of their own: nothing here is shared with the importer, so a reader bug is not mirrored
// by a writer with the same bug. Polygons are written as the format says (outer rings clockwise).

export type Ring = [number, number][]
export interface TestFeature {
  props: Record<string, string | number>
  /** polygons, each an outer ring then holes; rings open or closed */
  polygons: Ring[][]
}

const close = (r: Ring): Ring => (r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1] ? r : [...r, r[0]])
const area2 = (r: Ring) => r.reduce((s, p, i) => s + p[0] * r[(i + 1) % r.length][1] - r[(i + 1) % r.length][0] * p[1], 0)
/** outer rings clockwise, holes counter-clockwise, as ESRI's specification says */
const orient = (r: Ring, outer: boolean): Ring => {
  const c = close(r)
  return (area2(c) < 0) === outer ? c : [...c].reverse()
}

export function writeShp(features: TestFeature[]): { shp: Buffer; shx: Buffer } {
  const records = features.map((f) => {
    const rings = f.polygons.flatMap((p) => p.map((r, i) => orient(r, i === 0)))
    const points = rings.flat()
    const xs = points.map((p) => p[0])
    const ys = points.map((p) => p[1])
    const b = Buffer.alloc(44 + rings.length * 4 + points.length * 16)
    b.writeInt32LE(5, 0)
    ;[Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => b.writeDoubleLE(v, 4 + i * 8))
    b.writeInt32LE(rings.length, 36)
    b.writeInt32LE(points.length, 40)
    let start = 0
    rings.forEach((r, i) => {
      b.writeInt32LE(start, 44 + i * 4)
      start += r.length
    })
    points.forEach((p, i) => {
      b.writeDoubleLE(p[0], 44 + rings.length * 4 + i * 16)
      b.writeDoubleLE(p[1], 44 + rings.length * 4 + i * 16 + 8)
    })
    return b
  })
  const header = (length: number) => {
    const h = Buffer.alloc(100)
    h.writeInt32BE(9994, 0)
    h.writeInt32BE(length / 2, 24)
    h.writeInt32LE(1000, 28)
    h.writeInt32LE(5, 32)
    return h
  }
  const body = Buffer.concat(records.map((r, i) => {
    const rh = Buffer.alloc(8)
    rh.writeInt32BE(i + 1, 0)
    rh.writeInt32BE(r.length / 2, 4)
    return Buffer.concat([rh, r])
  }))
  const shp = Buffer.concat([header(100 + body.length), body])
  const index = Buffer.alloc(records.length * 8)
  let offset = 100
  records.forEach((r, i) => {
    index.writeInt32BE(offset / 2, i * 8)
    index.writeInt32BE(r.length / 2, i * 8 + 4)
    offset += 8 + r.length
  })
  return { shp, shx: Buffer.concat([header(100 + index.length), index]) }
}

/** A dBASE III table: text fields in the given encoding, numbers as N; `ldid` as ArcGIS sets it. */
export function writeDbf(rows: Record<string, string | number>[], encoding: 'utf-8' | 'gbk', ldid = 0): Buffer {
  const enc = (s: string) => (encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8'))
  const names = Object.keys(rows[0] ?? {})
  const fields = names.map((name) => {
    const numeric = rows.every((r) => typeof r[name] === 'number')
    const width = numeric ? 18 : Math.max(1, ...rows.map((r) => enc(String(r[name] ?? '')).length))
    return { name, numeric, width: Math.min(254, width) }
  })
  const headerLength = 32 + fields.length * 32 + 1
  const recordLength = 1 + fields.reduce((s, f) => s + f.width, 0)
  const b = Buffer.alloc(headerLength + rows.length * recordLength + 1, 0x20)
  b.fill(0, 0, headerLength)
  b[0] = 0x03
  b.writeUInt32LE(rows.length, 4)
  b.writeUInt16LE(headerLength, 8)
  b.writeUInt16LE(recordLength, 10)
  b[29] = ldid
  fields.forEach((f, i) => {
    const at = 32 + i * 32
    enc(f.name).copy(b, at, 0, 10)
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
      enc(text).copy(b, at, 0, f.width)
      at += f.width
    }
  })
  b[b.length - 1] = 0x1a
  return b
}

/** A zip of the given files, deflated, as Windows' "send to compressed folder" makes. */
export function writeZip(files: Record<string, Buffer | string>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')
    const packed = deflateRawSync(data)
    const nameBytes = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
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

/** A zipped Shapefile of these features, with a .prj and a .cpg when given. */
export function shapefileZip(features: TestFeature[], o: { prj?: string; cpg?: string; encoding?: 'utf-8' | 'gbk'; ldid?: number; name?: string }): Buffer {
  const { shp, shx } = writeShp(features)
  const name = o.name ?? 'boundaries'
  return writeZip({
    [`${name}.shp`]: shp,
    [`${name}.shx`]: shx,
    [`${name}.dbf`]: writeDbf(features.map((f) => f.props), o.encoding ?? 'utf-8', o.ldid ?? 0),
    ...(o.prj ? { [`${name}.prj`]: o.prj } : {}),
    ...(o.cpg ? { [`${name}.cpg`]: o.cpg } : {}),
  })
}

/** ESRI's .prj for CGCS2000 3° Gauss-Kruger, as ArcGIS writes it (with the zone in the easting, or the CM only). */
export function cgcs2000GkPrj(zone: number, withZone: boolean): string {
  const cm = zone * 3
  const name = withZone ? `CGCS2000_3_Degree_GK_Zone_${zone}` : `CGCS2000_3_Degree_GK_CM_${cm}E`
  return `PROJCS["${name}",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],` +
    `PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",${withZone ? zone * 1_000_000 + 500_000 : 500_000}.0],` +
    `PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",${cm}.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
}
