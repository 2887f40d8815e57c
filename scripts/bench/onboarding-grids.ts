// Going live, the map: a town of BENCH_ONBOARD_VILLAGES villages (default 20) and 50 grids each
// (1,000), imported through the routes as a township gets them — villages as GeoJSON, grids as a
// zipped Shapefile in CGCS2000 Gauss-Kruger zone 39 with GBK attributes — against a plain COPY
// of the same rows in the same run. Each grid outline has 25 vertices a side (shared sides
// alike), so the 四无 checks work on ~100,000 vertices, as a real township's drawing has.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import iconv from 'iconv-lite'
import { from as copyFrom } from 'pg-copy-streams'
import { writeDbf, writeShp, writeZip, type Ring } from '../../api/boundaries/shapefile-writer.ts'

const VILLAGES = Number(process.env.BENCH_ONBOARD_VILLAGES || 20)
const COLS = 10
const ROWS = 5
/** one grid: about 330 × 330 m; a village 10 × 5 of them */
const CELL = 0.003
const SIDE = 25
const LON0 = 116.6
const LAT0 = 36.0

const ms = (x: number) => `${x.toFixed(0).padStart(7)} ms`

/** a rectangle's ring with SIDE points a side, clockwise (a Shapefile's outer ring) */
function rect(x0: number, y0: number, w: number, h: number, steps: number): Ring {
  const pts: Ring = []
  const edge = (ax: number, ay: number, bx: number, by: number) => {
    for (let i = 0; i < steps; i++) pts.push([ax + ((bx - ax) * i) / steps, ay + ((by - ay) * i) / steps])
  }
  edge(x0, y0, x0, y0 + h)
  edge(x0, y0 + h, x0 + w, y0 + h)
  edge(x0 + w, y0 + h, x0 + w, y0)
  edge(x0 + w, y0, x0, y0)
  pts.push(pts[0])
  return pts
}

export interface Timed {
  ms: number
  stall: number
  body: Record<string, unknown>
}

export async function benchOnboardingGrids(client: pg.Client, timed: (path: string, file: Buffer, type: string) => Promise<Timed>): Promise<void> {
  // the town is named first, as the checklist's first step does
  await client.query(`INSERT INTO towns (code, name) VALUES ('371399100', '基准镇')`)
  const villages = Array.from({ length: VILLAGES }, (_, v) => {
    const x = LON0 + (v % 5) * COLS * CELL
    const y = LAT0 + Math.floor(v / 5) * ROWS * CELL
    return { code: `37139910${String(v + 1).padStart(4, '0')}`, name: `基准${v + 1}村`, x, y }
  })
  const villageFile = Buffer.from(JSON.stringify({
    type: 'FeatureCollection',
    features: villages.map((v) => ({ type: 'Feature', properties: { 村名: v.name, 村代码: v.code }, geometry: { type: 'Polygon', coordinates: [rect(v.x, v.y, COLS * CELL, ROWS * CELL, SIDE * COLS)] } })),
  }))
  const vImport = await timed('/api/imports/boundaries?level=village&town=基准镇', villageFile, 'application/geo+json')
  if (!vImport.body.applied) throw new Error(`village import went wrong: ${JSON.stringify(vImport.body).slice(0, 400)}`)

  // the grids in WGS 84, then their every vertex projected to zone 39 by PostGIS, as a GIS would save them
  const grids = villages.flatMap((v) => Array.from({ length: COLS * ROWS }, (_, i) => ({
    code: `${v.code}${String(i + 1).padStart(3, '0')}`, name: `第${i + 1}网格`, village: v.name,
    ring: rect(v.x + (i % COLS) * CELL, v.y + Math.floor(i / COLS) * CELL, CELL, CELL, SIDE),
  })))
  const flat = grids.flatMap((g) => g.ring)
  const projected = (await client.query<{ x: number; y: number }>(
    `SELECT ST_X(g) AS x, ST_Y(g) AS y FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS c(lon, lat, i),
            LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), 4527) AS g) p ORDER BY c.i`,
    [flat.map((p) => p[0]), flat.map((p) => p[1])])).rows
  let k = 0
  const shapes = grids.map((g) => ({ polygons: [[g.ring.map(() => { const p = projected[k++]; return [p.x, p.y] as [number, number] })]] }))
  const { shp, shx } = writeShp(shapes)
  const prj = (await client.query<{ srtext: string }>('SELECT srtext FROM spatial_ref_sys WHERE srid = 4527')).rows[0].srtext
  const gridFile = await writeZip({
    'grids.shp': shp, 'grids.shx': shx, 'grids.prj': prj,
    // GBK and no .cpg: as a land office's ArcGIS leaves it
    'grids.dbf': writeDbf(grids.map((g) => ({ WGBM: g.code, WGMC: g.name, SSC: g.village })), (s) => iconv.encode(s, 'gbk'), 0, ['WGBM', 'WGMC', 'SSC']),
  })

  await client.query('CREATE TABLE grids_baseline (LIKE grids INCLUDING ALL)')
  const villageIds = new Map((await client.query<{ id: number; name: string }>(`SELECT id, name FROM villages WHERE name LIKE '基准%'`)).rows.map((r) => [r.name, r.id]))
  const s = performance.now()
  await pipeline(Readable.from([grids.map((g) => {
    const wkt = `SRID=4326;POLYGON((${g.ring.map((p) => `${p[0]} ${p[1]}`).join(',')}))`
    return `${villageIds.get(g.village)},${g.code},${g.name},base,"","",SRID=4326;POINT(${g.ring[0][0]} ${g.ring[0][1]}),"${wkt}"`
  }).join('\n') + '\n']),
  client.query(copyFrom('COPY grids_baseline (village_id, code, name, kind, grid_worker_name, grid_worker_phone, label_point, geom) FROM STDIN WITH (FORMAT csv)')))
  const copyMs = performance.now() - s
  const q = `level=grid&town=${encodeURIComponent('基准镇')}&villageField=SSC&nameField=WGMC&codeField=WGBM`
  const dry = await timed(`/api/imports/boundaries?${q}&dryRun=1`, gridFile, 'application/zip')
  const apply = await timed(`/api/imports/boundaries?${q}`, gridFile, 'application/zip')
  const again = await timed(`/api/imports/boundaries?${q}`, gridFile, 'application/zip')
  const problems = (apply.body.problems as unknown[] | undefined)?.length ?? -1
  const stored = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM grids g JOIN villages v ON v.id = g.village_id WHERE v.name LIKE '基准%' AND g.retired_at IS NULL`)).rows[0].n)
  if (!apply.body.applied || problems !== 0 || stored !== grids.length) throw new Error(`grid import went wrong: ${stored} stored; ${JSON.stringify(apply.body).slice(0, 400)}`)
  console.log(`  boundaries: ${VILLAGES} villages (GeoJSON) in ${ms(vImport.ms).trim()}; ${grids.length.toLocaleString('en')} grids (${flat.length.toLocaleString('en')} vertices, Shapefile in EPSG:4527, GBK, ${(gridFile.length / 1e6).toFixed(1)} MB):`)
  console.log(`    plain COPY of the rows          ${ms(copyMs)}   (baseline)`)
  for (const [label, r] of [['dry run (四无 checks)', dry], ['apply (one transaction)', apply], ['the same file again', again]] as const) {
    console.log(`    ${label.padEnd(31)} ${ms(r.ms)}   ${(r.ms / copyMs).toFixed(1)}× COPY; slowest answer meanwhile ${r.stall.toFixed(0)} ms`)
  }
}
