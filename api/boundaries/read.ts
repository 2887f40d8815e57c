import { isUtf8 } from 'node:buffer'
import { inflateEntry, readZipDirectory, type ZipEntry } from '../imports/zip.ts'
import { DEFAULT_TABLE_LIMITS, unreadable, type TableLimits } from '../imports/limits.ts'
import { readDbf, type DbfValue, type TextEncodingName } from './dbf.ts'
import { readShp } from './shp.ts'
import { readKml } from './kml.ts'
import { fromGeoJson, type Polygons } from './geometry.ts'

/** A boundary file's formats, told apart by the request's content type. */
export type BoundaryFormat = 'shapefile' | 'geojson' | 'kml' | 'kmz'

export interface ReadFeature {
  props: Record<string, DbfValue>
  polygons: Polygons | null
}

export interface ReadLimits {
  maxFeatures: number
  maxVertices: number
  /** one text node (a KML coordinate list), one GeoJSON file */
  maxTextBytes: number
  /** what a zip may inflate to, all entries together */
  maxInflatedBytes: number
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxFeatures: 20_000,
  maxVertices: 5_000_000,
  maxTextBytes: 120 * 1024 * 1024,
  maxInflatedBytes: 300 * 1024 * 1024,
}

export interface ReadResult {
  format: BoundaryFormat
  features: ReadFeature[]
  /** the .dbf's text encoding and how it was decided (Shapefiles only) */
  encoding?: { name: TextEncodingName; from: 'cpg' | 'ldid' | 'detected' }
  /** the .prj's text, or a GeoJSON's `crs` name */
  crsText?: string
  crsKind?: 'prj' | 'geojson'
  /** the file names in a zip, for a clear answer when a part is missing */
  files?: string[]
}

const zipLimits = (l: ReadLimits): TableLimits => ({ ...DEFAULT_TABLE_LIMITS, maxZipEntries: 200, maxInflatedBytes: l.maxInflatedBytes, ratioGraceBytes: 1024 * 1024 })

async function inflate(zip: Buffer, entry: ZipEntry, budget: { left: number }, limits: TableLimits): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of inflateEntry(zip, entry, budget, limits)) parts.push(chunk)
  return Buffer.concat(parts)
}

/** A file's features in its own coordinates, with what says which ones and how its text is coded. */
export async function readBoundaryFile(data: Buffer, format: BoundaryFormat, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<ReadResult> {
  if (format === 'geojson') return readGeoJson(data, limits)
  if (format === 'kml') return { format, features: readKml(text(data), limits) }
  const zl = zipLimits(limits)
  const entries = readZipDirectory(data, zl).filter((e) => !e.name.endsWith('/') && !/(^|\/)(__MACOSX|\.)/.test(e.name))
  const budget = { left: zl.maxInflatedBytes }
  if (format === 'kmz') {
    const doc = entries.find((e) => /\.kml$/i.test(e.name))
    if (!doc) throw unreadable('is a KMZ without a .kml inside')
    return { format, features: readKml(text(await inflate(data, doc, budget, zl)), limits) }
  }
  const files = entries.map((e) => e.name)
  const shps = entries.filter((e) => /\.shp$/i.test(e.name))
  if (shps.length === 0) throw unreadable(`is a zip without a .shp (it holds ${files.slice(0, 10).join(', ') || 'nothing'})`)
  if (shps.length > 1) throw unreadable(`holds ${shps.length} layers (${shps.map((e) => e.name).join(', ')}); send one layer (.shp .shx .dbf .prj) per file`)
  const base = shps[0].name.slice(0, -4).toLowerCase()
  const part = (ext: string) => entries.find((e) => e.name.toLowerCase() === `${base}.${ext}`)
  const dbf = part('dbf')
  if (!dbf) throw unreadable(`holds ${shps[0].name} without its .dbf (the attribute table with the names)`)
  const prj = part('prj')
  const cpg = part('cpg')
  const geometries = readShp(await inflate(data, shps[0], budget, zl), limits)
  const table = readDbf(await inflate(data, dbf, budget, zl), cpg ? (await inflate(data, cpg, budget, zl)).toString('latin1') : undefined, {
    maxRecords: limits.maxFeatures, maxFields: 255,
  })
  if (table.rows.length !== geometries.length) throw unreadable(`has ${geometries.length} shapes but ${table.rows.length} attribute rows: the .shp and .dbf do not belong together`)
  return {
    format, files, encoding: table.encoding,
    features: geometries.map((polygons, i) => ({ props: table.rows[i], polygons })),
    ...(prj ? { crsText: (await inflate(data, prj, budget, zl)).toString('utf8'), crsKind: 'prj' as const } : {}),
  }
}

const text = (b: Buffer) => (isUtf8(b) ? b.toString('utf8') : new TextDecoder('gb18030').decode(b))

function readGeoJson(data: Buffer, limits: ReadLimits): ReadResult {
  if (data.length > limits.maxTextBytes) throw unreadable(`is larger than ${limits.maxTextBytes} bytes`)
  let doc: { type?: unknown; features?: unknown; geometry?: unknown; properties?: unknown; crs?: { properties?: { name?: unknown } } }
  try {
    doc = JSON.parse(text(data).replace(/^\uFEFF/, ''))
  } catch (err) {
    throw unreadable(`is not JSON: ${(err as Error).message}`)
  }
  const list = doc.type === 'FeatureCollection' && Array.isArray(doc.features) ? doc.features : doc.type === 'Feature' ? [doc] : null
  if (!list) throw unreadable('is not a GeoJSON Feature or FeatureCollection')
  if (list.length > limits.maxFeatures) throw unreadable(`has more than ${limits.maxFeatures} features (maxFeatures)`)
  const features = list.map((f: { geometry?: { type?: unknown; coordinates?: unknown }; properties?: Record<string, unknown> }, i: number) => {
    let polygons: Polygons | null
    try {
      polygons = fromGeoJson(f?.geometry)
    } catch (err) {
      throw unreadable(`feature ${i + 1}: ${(err as Error).message}`)
    }
    const props: Record<string, DbfValue> = {}
    for (const [k, v] of Object.entries(f?.properties ?? {})) props[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === null ? null : JSON.stringify(v)
    return { props, polygons }
  })
  const crs = doc.crs?.properties?.name
  return { format: 'geojson', features, ...(typeof crs === 'string' ? { crsText: crs, crsKind: 'geojson' as const } : {}) }
}
