import iconv from 'iconv-lite'
import { writeDbf, writeShp, writeZip, type Ring } from './shapefile-writer.ts'

// Boundary files as other offices' software writes them, for the tests: Shapefiles through the
// export's writer (shapefile-writer.ts), which shares no code with the importer's readers, so a
// reader's mistake is not mirrored by the writer. Rings are given open or closed, any way round.

export type { Ring }
export { writeZip }
export interface TestFeature {
  props: Record<string, string | number>
  /** polygons, each an outer ring then holes */
  polygons: Ring[][]
}

const close = (r: Ring): Ring => (r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1] ? r : [...r, r[0]])
const area2 = (r: Ring) => r.reduce((s, p, i) => s + p[0] * r[(i + 1) % r.length][1] - r[(i + 1) % r.length][0] * p[1], 0)
/** outer rings clockwise, holes counter-clockwise, as ESRI's specification says */
const orient = (r: Ring, outer: boolean): Ring => {
  const c = close(r)
  return (area2(c) < 0) === outer ? c : [...c].reverse()
}

/** A zipped Shapefile of these features, with a .prj and a .cpg when given. */
export function shapefileZip(features: TestFeature[], o: { prj?: string; cpg?: string; encoding?: 'utf-8' | 'gbk'; ldid?: number; name?: string }): Promise<Buffer> {
  const { shp, shx } = writeShp(features.map((f) => ({ polygons: f.polygons.map((p) => p.map((r, i) => orient(r, i === 0))) })))
  const encode = (s: string) => (o.encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8'))
  const name = o.name ?? 'boundaries'
  return writeZip({
    [`${name}.shp`]: shp,
    [`${name}.shx`]: shx,
    [`${name}.dbf`]: writeDbf(features.map((f) => f.props), encode, o.ldid ?? 0),
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
