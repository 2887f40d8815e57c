import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Queryable } from '../db/types.ts'
import { writeDbf, writeShp, writeZip, WGS84_PRJ, type Ring, type ShapeRecord } from './shapefile-writer.ts'
import type { BoundaryLevel } from './fields.ts'

/**
 * The township's map given back (交回县级 GIS): its villages or current grids, in WGS-84, as GeoJSON
 * or a zipped Shapefile (UTF-8 attributes with a .cpg, so GBK-minded readers are told). Read a
 * page of features at a time with a turn of the event loop between pages: a county's 三调
 * villages hold millions of vertices.
 */
const PAGE = 200

interface Row {
  id: number
  code: string
  name: string
  town: string
  village_code: string | null
  village: string | null
  kind: string | null
  worker: string | null
  geojson: string
}

const SOURCES: Record<BoundaryLevel, string> = {
  village: `SELECT v.id, v.code, v.name, t.name AS town, NULL AS village_code, NULL AS village, NULL AS kind, NULL AS worker,
                   ST_AsGeoJSON(ST_ForcePolygonCW(v.geom), 9) AS geojson
              FROM villages v JOIN towns t ON t.id = v.town_id WHERE ($1::int IS NULL OR v.town_id = $1) AND v.id > $2 ORDER BY v.id LIMIT ${PAGE}`,
  grid: `SELECT g.id, g.code, g.name, t.name AS town, v.code AS village_code, v.name AS village, g.kind, g.grid_worker_name AS worker,
                ST_AsGeoJSON(ST_ForcePolygonCW(g.geom), 9) AS geojson
           FROM grids g JOIN villages v ON v.id = g.village_id JOIN towns t ON t.id = v.town_id
          WHERE g.retired_at IS NULL AND ($1::int IS NULL OR v.town_id = $1) AND g.id > $2 ORDER BY g.id LIMIT ${PAGE}`,
}

async function* pages(db: Queryable, level: BoundaryLevel, townId: number | null): AsyncGenerator<Row[]> {
  let after = 0
  for (;;) {
    const r = await db.query<Row>(SOURCES[level], [townId, after])
    if (!r.rows.length) return
    yield r.rows
    after = r.rows[r.rows.length - 1].id
    await nextTurn()
  }
}

const properties = (level: BoundaryLevel, r: Row) =>
  level === 'village'
    ? { code: r.code, name: r.name, town: r.town }
    : { code: r.code, name: r.name, village_code: r.village_code, village: r.village, kind: r.kind === 'exclusive' ? '专属网格' : '基础网格', worker: r.worker ?? '' }

/** GeoJSON as text chunks, one page of features each. */
export async function* geojsonExport(db: Queryable, level: BoundaryLevel, townId: number | null): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":['
  let first = true
  for await (const page of pages(db, level, townId)) {
    const text = page.map((r) => `{"type":"Feature","properties":${JSON.stringify(properties(level, r))},"geometry":${r.geojson}}`).join(',')
    yield (first ? '' : ',') + text
    first = false
  }
  yield ']}\n'
}

/** A zipped Shapefile: .shp .shx .dbf .prj .cpg. */
export async function shapefileExport(db: Queryable, level: BoundaryLevel, townId: number | null): Promise<Buffer> {
  const records: ShapeRecord[] = []
  const rows: Record<string, string>[] = []
  for await (const page of pages(db, level, townId)) {
    for (const r of page) {
      const g = JSON.parse(r.geojson) as { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] }
      records.push({ polygons: g.type === 'Polygon' ? [g.coordinates] : g.coordinates })
      const p = properties(level, r)
      // dBASE field names: ten ASCII characters
      rows.push(level === 'village'
        ? { CODE: p.code, NAME: p.name, TOWN: (p as { town: string }).town }
        : { CODE: p.code, NAME: p.name, VCODE: (p as { village_code: string }).village_code, VILLAGE: (p as { village: string }).village, KIND: (p as { kind: string }).kind, WORKER: (p as { worker: string }).worker })
    }
  }
  const { shp, shx } = writeShp(records)
  const fields = level === 'village' ? ['CODE', 'NAME', 'TOWN'] : ['CODE', 'NAME', 'VCODE', 'VILLAGE', 'KIND', 'WORKER']
  const base = level === 'village' ? 'villages' : 'grids'
  return writeZip({
    [`${base}.shp`]: shp, [`${base}.shx`]: shx,
    [`${base}.dbf`]: writeDbf(rows, (s) => Buffer.from(s, 'utf8'), 0, fields),
    [`${base}.prj`]: WGS84_PRJ, [`${base}.cpg`]: 'UTF-8',
  })
}
