/**
 * Which coordinate system a boundary file is in, as a PROJ string PostGIS transforms from
 * (ST_Transform(geom, proj, 4326)), and a label a person can check. Chinese GIS offices hand out
 * CGCS2000 (geographic, or Gauss-Kruger in 3° or 6° zones, with or without the zone number in the
 * easting), older files Xi'an 1980 or Beijing 1954, and points copied from web maps are GCJ-02.
 */
export interface Crs {
  /** e.g. "CGCS2000 / 3° Gauss-Kruger zone 39 (EPSG:4527)" */
  label: string
  /** what PostGIS transforms from; null for GCJ-02, which is converted in JS (no datum: an obfuscation) */
  proj: string | null
  /**
   * the EPSG code, when the parameters are EPSG's: PostGIS transforms by SRID through a cached
   * PROJ object, where a PROJ string is set up again for every geometry (1,000 grids: >10 s)
   */
  srid?: number
  geographic: boolean
  gcj02?: boolean
  /** Xi'an 1980 and Beijing 1954: their shift to WGS-84 is only approximate (no official parameters) */
  approximate?: boolean
}

type Datum = 'CGCS2000' | 'WGS84' | 'Xian80' | 'Beijing54'

const ELLIPSOID: Record<Datum, string> = {
  CGCS2000: '+ellps=GRS80',
  WGS84: '+datum=WGS84',
  // IAG 1975, no published shift: PROJ's and EPSG's definitions carry none either
  Xian80: '+a=6378140 +rf=298.257',
  // Krassovsky with EPSG's three-parameter shift (as in PostGIS's spatial_ref_sys for EPSG:2435 …)
  Beijing54: '+ellps=krass +towgs84=15.8,-154.4,-82.3,0,0,0,0',
}
const DATUM_NAME: Record<Datum, string> = { CGCS2000: 'CGCS2000', WGS84: 'WGS 84', Xian80: "Xi'an 1980", Beijing54: 'Beijing 1954' }

export const WGS84: Crs = { label: 'WGS 84 (EPSG:4326)', proj: 'EPSG:4326', srid: 4326, geographic: true }
export const GCJ02: Crs = { label: 'GCJ-02 (高德/腾讯)', proj: null, geographic: true, gcj02: true }

/**
 * EPSG's numbers for Gauss-Kruger on each datum: 6° zones 13–23 with the zone in the easting,
 * 6° central meridians 75°–135°, 3° zones 25–45 with the zone, 3° central meridians.
 */
const GK_CODES: Record<Exclude<Datum, 'WGS84'>, { six: number; sixCm: number; three: number; threeCm: number; geographic: number }> = {
  CGCS2000: { six: 4491, sixCm: 4502, three: 4513, threeCm: 4534, geographic: 4490 },
  Xian80: { six: 2327, sixCm: 2338, three: 2349, threeCm: 2370, geographic: 4610 },
  Beijing54: { six: 21413, sixCm: 21453, three: 2401, threeCm: 2422, geographic: 4214 },
}

// With an EPSG code, PostGIS hands PROJ "EPSG:n" and PROJ picks its transformation to WGS 84
// (for Beijing 1954 and Xi'an 1980 not a simple three-parameter shift): the same as
// ST_Transform(g, n) and GDAL do, so a file reads where their tools put it.
const byCode = (code: number | null, proj: string) => (code ? `EPSG:${code}` : proj)

function geographic(datum: Datum): Crs {
  if (datum === 'WGS84') return WGS84
  const code = GK_CODES[datum].geographic
  return {
    label: `${DATUM_NAME[datum]} (EPSG:${code})`, proj: byCode(code, `+proj=longlat ${ELLIPSOID[datum]} +no_defs`), srid: code, geographic: true,
    approximate: datum === 'Xian80' || datum === 'Beijing54',
  }
}

function gaussKruger(datum: Datum, lon0: number, falseEasting: number, falseNorthing = 0, k = 1, lat0 = 0, title = ''): Crs {
  // A zone number in the easting (39500000) says the zone width: 3° zones are 25–45, 6° zones
  // 13–23. Without one, the name may say it; a 6° zone's meridian (117°) is a 3° zone's too, and
  // the projection is the same either way, so only the label depends on the guess (3°, the
  // township scale's usual one).
  const zone = Math.floor(falseEasting / 1_000_000)
  const named = /(^|[^\d])3.?(degree|度)/i.test(title) ? 3 : /(^|[^\d])6.?(degree|度)/i.test(title) ? 6 : null
  const width = zone >= 25 ? 3 : zone >= 13 ? 6 : (named ?? 3)
  const standard = k === 1 && lat0 === 0 && falseNorthing === 0 && falseEasting - zone * 1_000_000 === 500_000
  const code = standard && datum !== 'WGS84' ? gkCode(GK_CODES[datum], lon0, zone, width) : null
  const label = `${DATUM_NAME[datum]} / ${width}° Gauss-Kruger ${zone ? `zone ${zone}` : `CM ${lon0}°E`}${code ? ` (EPSG:${code})` : ''}`
  return {
    label,
    proj: byCode(code, `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k=${k} +x_0=${falseEasting} +y_0=${falseNorthing} ${ELLIPSOID[datum]} +units=m +no_defs`),
    ...(code ? { srid: code } : {}),
    geographic: false,
    approximate: datum === 'Xian80' || datum === 'Beijing54',
  }
}

function gkCode(c: (typeof GK_CODES)[keyof typeof GK_CODES], lon0: number, zone: number, width: 3 | 6): number | null {
  if (width === 6) {
    const z = zone || (lon0 + 3) / 6
    if (!Number.isInteger(z) || z < 13 || z > 23 || (zone && zone * 6 - 3 !== lon0)) return null
    return (zone ? c.six : c.sixCm) + z - 13
  }
  const z = zone || lon0 / 3
  if (!Number.isInteger(z) || z < 25 || z > 45 || (zone && zone * 3 !== lon0)) return null
  return (zone ? c.three : c.threeCm) + z - 25
}

/** The codes ?crs= takes: WGS 84, CGCS2000, Xi'an 1980 and Beijing 1954, geographic or Gauss-Kruger, and GCJ02. */
export function crsFromParameter(value: string): Crs | { problem: string } {
  const v = value.trim().toUpperCase().replace(/[\s_-]/g, '')
  if (v === 'GCJ02' || v === 'GCJ') return GCJ02
  if (v === 'WGS84' || v === 'CRS84' || v === 'EPSG:4326' || v === '4326') return WGS84
  if (v === 'CGCS2000') return geographic('CGCS2000')
  const m = /^(?:EPSG:+)?(\d{4,5})$/.exec(v)
  const code = m ? Number(m[1]) : NaN
  if (code === 4326) return WGS84
  for (const [datum, c] of Object.entries(GK_CODES) as [Exclude<Datum, 'WGS84'>, (typeof GK_CODES)['CGCS2000']][]) {
    if (code === c.geographic) return geographic(datum)
    const ranges: [number, 3 | 6, boolean][] = [[c.six, 6, true], [c.sixCm, 6, false], [c.three, 3, true], [c.threeCm, 3, false]]
    for (const [first, width, prefixed] of ranges) {
      const count = width === 6 ? 11 : 21
      if (code < first || code >= first + count) continue
      const zone = code - first + (width === 6 ? 13 : 25)
      const lon0 = width === 6 ? zone * 6 - 3 : zone * 3
      return gaussKruger(datum, lon0, (prefixed ? zone * 1_000_000 : 0) + 500_000, 0, 1, 0, `${width}-degree`)
    }
  }
  return { problem: `querystring/crs ${value} is not one this import knows: EPSG:4326, 4490, 4491–4554 (CGCS2000 Gauss-Kruger), Xi'an 1980 (2327–2390, 4610) and Beijing 1954 (2401–2442, 21413–21463, 4214) Gauss-Kruger, WGS84, CGCS2000 or GCJ02` }
}

// ---------------------------------------------------------------------------------------------
// WKT (the .prj of a Shapefile: ESRI's WKT 1, or OGC WKT 1/2 from GDAL)

interface Node {
  key: string
  args: (string | number | Node)[]
}

export function parseWkt(text: string): Node {
  let at = 0
  const s = text.trim()
  const space = () => {
    while (at < s.length && /\s/.test(s[at])) at++
  }
  const node = (): Node => {
    space()
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(at, at + 64))
    if (!m) throw new Error(`expected a keyword at ${at}`)
    at += m[0].length
    space()
    const open = s[at]
    if (open !== '[' && open !== '(') return { key: m[0].toUpperCase(), args: [] }
    at++
    const args: Node['args'] = []
    for (;;) {
      space()
      if (s[at] === '"') {
        const end = s.indexOf('"', at + 1)
        if (end < 0) throw new Error('unclosed string')
        args.push(s.slice(at + 1, end))
        at = end + 1
      } else if (/[-+.\d]/.test(s[at] ?? '')) {
        const m2 = /^[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?/.exec(s.slice(at, at + 64))
        if (!m2) throw new Error(`bad number at ${at}`)
        args.push(Number(m2[0]))
        at += m2[0].length
      } else {
        args.push(node())
      }
      space()
      if (s[at] === ',') {
        at++
        continue
      }
      if (s[at] === ']' || s[at] === ')') {
        at++
        return { key: m[0].toUpperCase(), args }
      }
      throw new Error(`expected , or ] at ${at}`)
    }
  }
  if (s.length > 16_384) throw new Error('longer than any coordinate system')
  return node()
}

const children = (n: Node, ...keys: string[]) => n.args.filter((a): a is Node => typeof a === 'object' && keys.includes(a.key))
const child = (n: Node, ...keys: string[]) => children(n, ...keys)[0]
const name = (n: Node | undefined) => (n && typeof n.args[0] === 'string' ? n.args[0] : '')

function datumOf(geog: Node): Datum | null {
  const datum = child(geog, 'DATUM', 'GEODETICDATUM', 'TRF')
  const spheroid = datum && child(datum, 'SPHEROID', 'ELLIPSOID')
  const text = `${name(geog)} ${name(datum)} ${name(spheroid)}`.toLowerCase()
  if (/cgcs|2000|china_geodetic/.test(text)) return 'CGCS2000'
  if (/xian|xi'an|xi_an|1980|iag.?1975|iag_75/.test(text)) return 'Xian80'
  if (/beijing|1954|krass/.test(text)) return 'Beijing54'
  if (/wgs.?84|wgs_1984|world geodetic system 1984/.test(text)) return 'WGS84'
  // by the ellipsoid's size when the names say nothing
  const a = spheroid && typeof spheroid.args[1] === 'number' ? spheroid.args[1] : 0
  if (a === 6378137) return 'CGCS2000'
  if (a === 6378140) return 'Xian80'
  if (a === 6378245) return 'Beijing54'
  return null
}

/** A .prj's coordinate system; a problem when it is not one this import knows. */
export function crsFromWkt(text: string): Crs | { problem: string } {
  let root: Node
  try {
    root = parseWkt(text)
  } catch (err) {
    return { problem: `the .prj is not readable WKT (${(err as Error).message})` }
  }
  const projected = ['PROJCS', 'PROJCRS', 'PROJECTEDCRS'].includes(root.key)
  const geog = projected ? child(root, 'GEOGCS', 'BASEGEOGCRS', 'BASEGEODCRS') : ['GEOGCS', 'GEOGCRS', 'GEODCRS'].includes(root.key) ? root : undefined
  if (!geog) return { problem: `the .prj describes ${root.key}, not a geographic or projected coordinate system` }
  const datum = datumOf(geog)
  if (!datum) return { problem: `the .prj's datum (${name(child(geog, 'DATUM')) || name(geog)}) is not CGCS2000, WGS 84, Xi'an 1980 or Beijing 1954` }
  if (!projected) return geographic(datum)
  // ESRI: PROJECTION["Gauss_Kruger"] + PARAMETER[...]; WKT2: CONVERSION[..., METHOD[...], PARAMETER[...]]
  const conversion = child(root, 'CONVERSION') ?? root
  const method = name(child(conversion, 'PROJECTION', 'METHOD')).toLowerCase()
  if (!/transverse|gauss|tmerc|kruger/.test(method)) return { problem: `the .prj's projection (${method || 'none'}) is not Gauss-Kruger (transverse Mercator)` }
  const p: Record<string, number> = {}
  for (const par of children(conversion, 'PARAMETER')) {
    if (typeof par.args[0] === 'string' && typeof par.args[1] === 'number') p[par.args[0].toLowerCase().replace(/[\s_]+/g, ' ')] = par.args[1]
  }
  const pick = (...keys: string[]) => keys.map((k) => p[k]).find((x) => x !== undefined)
  const lon0 = pick('central meridian', 'longitude of natural origin', 'longitude of origin')
  if (lon0 === undefined) return { problem: 'the .prj names no central meridian' }
  const unit = child(root, 'UNIT', 'LENGTHUNIT')
  if (unit && typeof unit.args[1] === 'number' && Math.abs(unit.args[1] - 1) > 1e-9) return { problem: `the .prj's unit (${name(unit)}) is not the metre` }
  return gaussKruger(datum, lon0, pick('false easting') ?? 500_000, pick('false northing') ?? 0, pick('scale factor', 'scale factor at natural origin') ?? 1,
    pick('latitude of origin', 'latitude of natural origin') ?? 0, name(root))
}
