import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import gcoord from 'gcoord'
import { openTestApp, type TestApp } from '../test/app.ts'
import { cgcs2000GkPrj, shapefileZip, type Ring, type TestFeature } from './test-files.ts'

// A township's own boundaries, as files from 自然资源 and its own GIS operator, into the system.
// Each file is written by the tests' own writer (test-files.ts) in the coordinate system named,
// from known WGS-84 corners projected by PostGIS's EPSG definitions, and must come back to
// those corners within a metre.

let t: TestApp
let town: { id: number; name: string }
beforeAll(async () => {
  t = await openTestApp()
  // a second town far from the demo's, so the test's villages overlap nothing of the fixtures
  town = (await t.db.query<{ id: number; name: string }>(`INSERT INTO towns (code, name) VALUES ('T-IMPORT', '测试镇') RETURNING id, name`)).rows[0]
})
afterAll(async () => t?.close())

// a village of about 1.8 × 2.2 km near 117.01°E 36.51°N (CGCS2000 zone 39, CM 117°E)
const LON = 117.0
const LAT = 36.5
const D = 0.02
const corners = (lon: number, lat: number, w: number, h: number): Ring => [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h]]

/** by an EPSG code, or by a PROJ string (a local grid no EPSG code describes) */
async function project(ring: Ring, to: number | string): Promise<Ring> {
  const r = await t.db.query<{ x: number; y: number }>(
    `SELECT ST_X(p.g) AS x, ST_Y(p.g) AS y FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS c(lon, lat, i),
            LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), ${typeof to === 'number' ? '$3::int' : '$3::text'}) AS g) p ORDER BY c.i`,
    [ring.map((p) => p[0]), ring.map((p) => p[1]), to])
  return r.rows.map((p) => [p.x, p.y])
}
const srtext = async (srid: number) => (await t.db.query<{ srtext: string }>('SELECT srtext FROM spatial_ref_sys WHERE srid = $1', [srid])).rows[0].srtext

const upload = (query: string, body: Buffer | string, type = 'application/zip') =>
  t.as('admin', { method: 'POST', url: `/api/imports/boundaries?${query}`, headers: { 'content-type': type }, payload: body })

/** metres between each stored vertex of a village and the known corner */
async function offsets(code: string, known: Ring): Promise<number[]> {
  const r = await t.db.query<{ d: number }>(
    `SELECT min(ST_Distance(ST_SetSRID(ST_MakePoint(k.lon, k.lat), 4326)::geography, d.geom::geography)) AS d
       FROM villages v, LATERAL ST_DumpPoints(v.geom) d, unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS k(lon, lat, i)
      WHERE v.code = $1 GROUP BY k.i ORDER BY k.i`, [code, known.map((p) => p[0]), known.map((p) => p[1])])
  return r.rows.map((x) => x.d)
}

describe('village boundaries in every coordinate system a township gets', () => {
  const known = corners(LON, LAT, D, D)
  // a county's own local grid: CGCS2000 Gauss-Kruger with a false northing of its own (no EPSG code)
  const LOCAL = '+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=-3000000 +ellps=GRS80 +units=m +no_defs'
  const families: [string, number | string | null, (ring: Ring) => Promise<{ file: Buffer; type?: string; query?: string }>][] = [
    ['CGCS2000 3° zone 39, ESRI .prj with the zone in the easting', 4527, async (r) => ({ file: await shapefileZip([village(r)], { prj: cgcs2000GkPrj(39, true) }) })],
    ['CGCS2000 3° CM 117°E, ESRI .prj', 4548, async (r) => ({ file: await shapefileZip([village(r)], { prj: cgcs2000GkPrj(39, false) }) })],
    ['CGCS2000 6° zone 20, GDAL .prj', 4498, async (r) => ({ file: await shapefileZip([village(r)], { prj: await srtext(4498) }) })],
    ['CGCS2000 6° CM 117°E without .prj, given by ?crs=', 4509, async (r) => ({ file: await shapefileZip([village(r)], {}), query: '&crs=EPSG:4509' })],
    ['CGCS2000 geographic (EPSG:4490)', 4490, async (r) => ({ file: await shapefileZip([village(r)], { prj: await srtext(4490) }) })],
    ["Xi'an 1980 3° zone 39", 2363, async (r) => ({ file: await shapefileZip([village(r)], { prj: await srtext(2363) }) })],
    ['Beijing 1954 6° zone 20', 21420, async (r) => ({ file: await shapefileZip([village(r)], { prj: await srtext(21420) }) })],
    ['a local CGCS2000 Gauss-Kruger grid (false northing -3,000 km), by its .prj', LOCAL, async (r) => ({
      file: await shapefileZip([village(r)], { prj: cgcs2000GkPrj(39, false).replace('PARAMETER["False_Northing",0.0]', 'PARAMETER["False_Northing",-3000000.0]') }),
    })],
    ['WGS 84 GeoJSON', 4326, async (r) => ({ file: Buffer.from(JSON.stringify(geojson([village(r)]))), type: 'application/geo+json' })],
    ['GCJ-02 GeoJSON by ?crs=GCJ02', null, async (r) => ({
      file: Buffer.from(JSON.stringify(geojson([village(r.map((p) => gcoord.transform(p, gcoord.WGS84, gcoord.GCJ02) as [number, number]))]))),
      type: 'application/geo+json', query: '&crs=GCJ02',
    })],
  ]
  function village(ring: Ring, name = '东辛庄村', code = '370000000001'): TestFeature {
    return { props: { XZQDM: code, XZQMC: name }, polygons: [[ring]] }
  }
  function geojson(fs: TestFeature[]) {
    return { type: 'FeatureCollection', features: fs.map((f) => ({ type: 'Feature', properties: f.props, geometry: { type: 'MultiPolygon', coordinates: f.polygons } })) }
  }

  for (const [label, srid, make] of families) {
    it(`reads ${label} to within a metre of the known corners`, async () => {
      const ring = srid && srid !== 4326 ? await project(known, srid) : known
      const { file, type, query } = await make(ring)
      const res = await upload(`level=village&town=${town.id}${query ?? ''}`, file, type)
      expect(res.statusCode, res.body).toBe(200)
      const report = res.json()
      expect(report).toMatchObject({ level: 'village', applied: true, problems: [] })
      expect(report.items).toEqual([expect.objectContaining({ name: '东辛庄村', code: '370000000001' })])
      for (const d of await offsets('370000000001', known)) expect(d).toBeLessThan(1)
      if (srid === 2363 || srid === 21420) expect(report.warnings.map((w: { kind: string }) => w.kind)).toContain('approximateDatum')
    })
  }

  it('refuses a projected file without .prj, asking for crs', async () => {
    const res = await upload(`level=village&town=${town.id}`, await shapefileZip([village(await project(known, 4527))], {}))
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'crs_required', message: expect.stringMatching(/\?crs=/) })
  })

  it('names come out right from GBK tables with and without .cpg', async () => {
    for (const o of [{ encoding: 'gbk' as const }, { encoding: 'gbk' as const, cpg: 'GBK' }, { encoding: 'gbk' as const, ldid: 0x4d }]) {
      const res = await upload(`level=village&town=${town.id}&dryRun=1`, await shapefileZip([village(await project(known, 4527), '西王家庄村')], { ...o, prj: cgcs2000GkPrj(39, true) }))
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().items[0].name).toBe('西王家庄村')
      expect(res.json().encoding).toMatch(/^gb/)
    }
  })
})

describe('the 四无 rules', () => {
  // village 2: 1.8 km square east of the first one; its grids are drawn in the test in WGS 84
  const V = corners(LON + 0.05, LAT, D, D)
  const grid = (name: string, code: string, ring: Ring): TestFeature => ({ props: { 网格名称: name, 网格编码: code, 所属村: '南庄村' }, polygons: [[ring]] })
  const gj = (fs: TestFeature[]) => Buffer.from(JSON.stringify({
    type: 'FeatureCollection', features: fs.map((f) => ({ type: 'Feature', properties: f.props, geometry: { type: 'Polygon', coordinates: f.polygons[0] } })),
  }))
  const grids = (q: string, fs: TestFeature[]) => upload(`level=grid&town=${town.id}${q}`, gj(fs), 'application/geo+json')
  const west = (w: number) => corners(LON + 0.05, LAT, w, D)
  const east = (from: number) => corners(LON + 0.05 + from, LAT, D - from, D)
  let villageId: number

  beforeAll(async () => {
    const v = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { 村名: '南庄村', 村代码: '370000000002' }, geometry: { type: 'Polygon', coordinates: [V] } }] }
    const res = await upload(`level=village&town=${town.id}`, Buffer.from(JSON.stringify(v)), 'application/geo+json')
    expect(res.statusCode, res.body).toBe(200)
    villageId = res.json().items[0].id
  })

  it('repairs a self-intersecting ring and says so', async () => {
    // a bow tie: the ring crosses itself in the middle
    const bow: Ring = [[LON + 0.1, LAT], [LON + 0.11, LAT + 0.01], [LON + 0.11, LAT], [LON + 0.1, LAT + 0.01]]
    const res = await upload(`level=village&town=${town.id}&dryRun=1`, Buffer.from(JSON.stringify({
      type: 'FeatureCollection', features: [{ type: 'Feature', properties: { 村名: '蝴蝶村', 村代码: '370000000003' }, geometry: { type: 'Polygon', coordinates: [bow] } }],
    })), 'application/geo+json')
    expect(res.statusCode, res.body).toBe(200)
    const report = res.json()
    expect(report.items[0]).toMatchObject({ repaired: true })
    // both lobes kept: half the 0.01° square each side of the crossing
    expect(report.items[0].areaM2).toBeGreaterThan(0.4 * 0.01 * 0.01 * 111_000 * 89_000)
    expect(report.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'repaired', features: ['蝴蝶村 (#1)'] })]))
  })

  it('reports a gap and an overlap with their areas and refuses to apply them (422 naming the features)', async () => {
    // a 100 m gap: west grid ends at 0.009°, east starts at 0.0101°
    const gap = await grids('&dryRun=1', [grid('第一网格', 'G1', west(0.009)), grid('第二网格', 'G2', east(0.0101))])
    expect(gap.statusCode, gap.body).toBe(200)
    const g = gap.json().problems.find((p: { kind: string }) => p.kind === 'gap')
    expect(g).toMatchObject({ features: expect.arrayContaining(['南庄村 (村)', '第一网格 (#1)', '第二网格 (#2)']) })
    // 0.0011° × 0.02° at 36.5°N: about 98 m × 2,220 m
    expect(g.areaM2).toBeGreaterThan(200_000)
    expect(g.areaM2).toBeLessThan(240_000)
    expect(g.point[0]).toBeGreaterThan(LON + 0.059)
    const overlap = await grids('', [grid('第一网格', 'G1', west(0.011)), grid('第二网格', 'G2', east(0.009))])
    expect(overlap.statusCode).toBe(422)
    expect(overlap.json()).toMatchObject({ code: 'boundary_problems', applied: false })
    const o = overlap.json().problems.find((p: { kind: string }) => p.kind === 'overlap')
    expect(o.features).toEqual(['第一网格 (#1)', '第二网格 (#2)'])
    expect(o.areaM2).toBeGreaterThan(350_000)
    expect(overlap.json().message).toMatch(/overlap of 第一网格 \(#1\), 第二网格 \(#2\)/)
    expect((await t.db.query('SELECT 1 FROM grids WHERE village_id = $1', [villageId])).rows).toHaveLength(0)
  })

  it('snaps slivers away and reports them; a grid outside its village is refused', async () => {
    // half a metre apart: a digitising sliver, given to the grid it runs along
    const sliver = await grids('&dryRun=1', [grid('第一网格', 'G1', west(0.01)), grid('第二网格', 'G2', east(0.010005))])
    expect(sliver.json().problems).toEqual([])
    expect(sliver.json().warnings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'sliverSnapped', detail: 'gap' })]))
    const out = await grids('&dryRun=1', [grid('第一网格', 'G1', corners(LON + 0.04, LAT, 0.02, D)), grid('第二网格', 'G2', east(0.01))])
    expect(out.json().problems.map((p: { kind: string }) => p.kind)).toContain('outsideVillage')
  })

  it('keeps grid ids and their orders on a re-import, retires a grid no longer in the file, and moves households', async () => {
    const first = await grids('', [grid('第一网格', 'G1', west(0.01)), grid('第二网格', 'G2', east(0.01))])
    expect(first.statusCode, first.body).toBe(200)
    const ids = Object.fromEntries(first.json().items.map((i: { code: string; id: number }) => [i.code, i.id]))
    expect(first.json().items.every((i: { action: string }) => i.action === 'new')).toBe(true)
    // a household in the east half, an order in G2
    const h = (await t.db.query<{ id: number; grid_id: number }>(
      `INSERT INTO households (grid_id, address, house_number, geom) VALUES ($1, '南庄村', '1号', ST_SetSRID(ST_MakePoint($2, $3), 4326)) RETURNING id, grid_id`,
      [ids.G2, LON + 0.05 + 0.015, LAT + 0.01])).rows[0]
    const o = (await t.db.query<{ id: number }>(
      `INSERT INTO work_orders (category, description, source, state, grid_id, village_id, geom, reporter, state_since, deadline_at, created_at)
       SELECT (SELECT code FROM work_order_categories LIMIT 1), '测试', 'gridWorker', 'asked', $1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), 'admin', now(), now() + interval '1 day', now()
       RETURNING id`, [ids.G2, villageId, LON + 0.065, LAT + 0.01])).rows[0]
    // redrawn: G1 now takes everything west of 0.018°, G2 is gone, G3 takes the east strip
    const again = await grids('', [grid('第一网格', 'G1', west(0.018)), grid('第三网格', 'G3', east(0.018))])
    expect(again.statusCode, again.body).toBe(200)
    const items = Object.fromEntries(again.json().items.map((i: { code: string; id: number; action: string }) => [i.code, i]))
    expect(items.G1).toMatchObject({ id: ids.G1, action: 'updated' })
    expect(items.G3).toMatchObject({ action: 'new' })
    expect(again.json().retired).toEqual([{ id: ids.G2, name: '第二网格' }])
    const g2 = (await t.db.query<{ retired: boolean }>('SELECT retired_at IS NOT NULL AS retired FROM grids WHERE id = $1', [ids.G2])).rows[0]
    expect(g2.retired).toBe(true)
    expect((await t.db.query('SELECT grid_id FROM work_orders WHERE id = $1', [o.id])).rows[0]).toEqual({ grid_id: ids.G2 })
    expect((await t.db.query('SELECT grid_id FROM households WHERE id = $1', [h.id])).rows[0]).toEqual({ grid_id: ids.G1 })
    // the roll-ups follow: the household counts in G1 now
    const roll = await t.db.query<{ grid_id: number; households: number }>('SELECT grid_id, households FROM grid_rollup WHERE grid_id = ANY($1::int[]) ORDER BY grid_id', [[ids.G1, ids.G2]])
    expect(roll.rows).toEqual([{ grid_id: ids.G1, households: 1 }, { grid_id: ids.G2, households: 0 }])
    // the retired grid is off the map
    const map = (await t.as('admin', `/api/grids?village=${villageId}`)).json()
    expect(map.features.map((f: { properties: { code: string } }) => f.properties.code).sort()).toEqual(['G1', 'G3'])
  })
})

describe('the map given back', () => {
  it('exports villages and grids as GeoJSON and as a Shapefile that imports again unchanged', async () => {
    const geo = await t.as('leader', `/api/exports/boundaries?level=grid&format=geojson&town=${encodeURIComponent('店子镇')}`)
    expect(geo.statusCode, geo.body).toBe(200)
    const fc = geo.json()
    const current = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grids g JOIN villages v ON v.id = g.village_id JOIN towns t ON t.id = v.town_id WHERE t.name = '店子镇' AND g.retired_at IS NULL`)).rows[0].n
    expect(fc.features).toHaveLength(current)
    expect(fc.features[0].properties).toEqual(expect.objectContaining({ code: expect.any(String), name: expect.any(String), village: expect.any(String), kind: expect.stringMatching(/网格$/) }))
    const shp = await t.as('admin', `/api/exports/boundaries?level=village&format=shp&town=${town.id}`)
    expect(shp.statusCode).toBe(200)
    expect(shp.headers['content-type']).toBe('application/zip')
    const back = await upload(`level=village&town=${town.id}&dryRun=1`, shp.rawPayload)
    expect(back.statusCode, back.body).toBe(200)
    const stored = (await t.db.query<{ code: string; name: string; area: number }>(
      `SELECT code, name, ST_Area(geom::geography) AS area FROM villages WHERE town_id = $1 ORDER BY id`, [town.id])).rows
    expect(back.json()).toMatchObject({ crs: 'WGS 84 (EPSG:4326)', encoding: 'utf-8 (cpg)', problems: [] })
    // nine decimals of a degree (a millimetre) are kept: the areas agree to within a square metre
    const items = back.json().items as { code: string; name: string; areaM2: number }[]
    expect(items.map((i) => [i.code, i.name])).toEqual(stored.map((s) => [s.code, s.name]))
    items.forEach((i, k) => expect(Math.abs(i.areaM2 - stored[k].area)).toBeLessThan(1))
    expect((await t.as('dispatcher', '/api/exports/boundaries?level=village&format=geojson')).statusCode).toBe(403)
  })
})
