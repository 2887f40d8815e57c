import { describe, expect, it } from 'vitest'
import iconv from 'iconv-lite'
import { parseBoundaryFile } from './parse.ts'
import { crsFromParameter, crsFromWkt } from './crs.ts'
import { cgcs2000GkPrj, shapefileZip, writeZip, type TestFeature } from './test-files.ts'

// Boundary files as offices hand them out, written by the tests' own writer (test-files.ts),
// read back through the worker the import uses.

const square = (x: number, y: number, s: number): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]]
const VILLAGES: TestFeature[] = [
  { props: { XZQDM: '370000001', XZQMC: '东辛庄村' }, polygons: [[square(0, 0, 10), square(2, 2, 2)]] },
  { props: { XZQDM: '370000002', XZQMC: '西王庄村' }, polygons: [[square(10, 0, 10)], [square(30, 0, 5)]] },
]
const wkbRings = (wkb: Buffer) => {
  // MultiPolygon: polygons, each with its rings' point counts
  const polys: number[][] = []
  let at = 5
  const np = wkb.readUInt32LE(at)
  at += 4
  for (let p = 0; p < np; p++) {
    at += 5
    const nr = wkb.readUInt32LE(at)
    at += 4
    const rings: number[] = []
    for (let r = 0; r < nr; r++) {
      const pts = wkb.readUInt32LE(at)
      rings.push(pts)
      at += 4 + pts * 16
    }
    polys.push(rings)
  }
  return polys
}

describe('boundary files', () => {
  it('reads a GBK attribute table without a .cpg (detected), by its language byte, and by its .cpg', async () => {
    for (const [o, from] of [
      [{ encoding: 'gbk' as const }, 'detected'],
      [{ encoding: 'gbk' as const, ldid: 0x4d }, 'ldid'],
      [{ encoding: 'gbk' as const, cpg: '936' }, 'cpg'],
      [{ encoding: 'utf-8' as const, cpg: 'UTF-8' }, 'cpg'],
      [{ encoding: 'utf-8' as const }, 'detected'],
    ] as const) {
      const file = await parseBoundaryFile(await shapefileZip(VILLAGES, { ...o, prj: cgcs2000GkPrj(39, true) }), 'shapefile', 'test')
      expect(file.features.map((f) => f.props.XZQMC), JSON.stringify(o)).toEqual(['东辛庄村', '西王庄村'])
      expect(file.encoding?.from).toBe(from)
      expect(file.encoding?.name).toBe(o.encoding === 'gbk' ? (from === 'detected' ? 'gb18030' : 'gbk') : 'utf-8')
    }
  })

  it('keeps holes and multipolygons, and the .prj text', async () => {
    const file = await parseBoundaryFile(await shapefileZip(VILLAGES, { prj: cgcs2000GkPrj(39, true) }), 'shapefile', 'test')
    expect(wkbRings(file.features[0].wkb!)).toEqual([[5, 5]])
    expect(wkbRings(file.features[1].wkb!)).toEqual([[5], [5]])
    expect(file.crsKind).toBe('prj')
    expect(crsFromWkt(file.crsText!)).toMatchObject({ label: 'CGCS2000 / 3° Gauss-Kruger zone 39 (EPSG:4527)', geographic: false })
    expect(file.extent).toEqual([0, 0, 35, 10])
  })

  it('names a missing part, a second layer and a non-polygon file', async () => {
    const whole = await shapefileZip(VILLAGES, {})
    await expect(parseBoundaryFile(await writeZip({ 'a.shp': Buffer.alloc(0) }), 'shapefile', 'test')).rejects.toMatchObject({ statusCode: 400 })
    await expect(parseBoundaryFile(await writeZip({ 'readme.txt': 'x' }), 'shapefile', 'test')).rejects.toThrow(/without a \.shp/)
    const two = await writeZip({ 'a.shp': 'x', 'b.shp': 'y', 'a.dbf': 'z' })
    await expect(parseBoundaryFile(two, 'shapefile', 'test')).rejects.toThrow(/2 layers/)
    await expect(parseBoundaryFile(Buffer.from('not a zip'), 'shapefile', 'test')).rejects.toThrow(/not a zip/)
    expect(whole.length).toBeGreaterThan(100)
  })

  it('reads GeoJSON with its crs member, and KML placemarks with their data', async () => {
    const gj = {
      type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4527' } },
      features: [{ type: 'Feature', properties: { 网格名称: '第一网格', 网格编码: 'G1' }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 1).map((p) => [...p, 12])] } }],
    }
    const g = await parseBoundaryFile(Buffer.from(JSON.stringify(gj)), 'geojson', 'test')
    expect(g.features[0].props).toEqual({ 网格名称: '第一网格', 网格编码: 'G1' })
    expect(g.crsText).toBe('urn:ogc:def:crs:EPSG::4527')
    expect(wkbRings(g.features[0].wkb!)).toEqual([[5]])
    const kml = `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>
      <Placemark><name>东辛庄村</name><ExtendedData><Data name="代码"><value>370000001</value></Data></ExtendedData>
      <MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>117.1,35.1,0 117.2,35.1,0 117.2,35.2,0 117.1,35.1,0</coordinates></LinearRing></outerBoundaryIs>
      <innerBoundaryIs><LinearRing><coordinates>117.15,35.12 117.16,35.12 117.16,35.13 117.15,35.12</coordinates></LinearRing></innerBoundaryIs></Polygon></MultiGeometry></Placemark>
      <Placemark><name>a point</name><Point><coordinates>117,35</coordinates></Point></Placemark></Folder></Document></kml>`
    const k = await parseBoundaryFile(Buffer.from(kml), 'kml', 'test')
    expect(k.features).toHaveLength(1)
    expect(k.features[0].props).toEqual({ name: '东辛庄村', 代码: '370000001' })
    expect(wkbRings(k.features[0].wkb!)).toEqual([[4, 4]])
    const kmz = await parseBoundaryFile(await writeZip({ 'doc.kml': iconv.encode(kml, 'utf8') }), 'kmz', 'test')
    expect(kmz.features[0].props.name).toBe('东辛庄村')
  })

  it('refuses a zip bomb from its directory, before a worker starts', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024)
    const zip = await writeZip({ 'a.shp': big, 'a.dbf': 'x' })
    await expect(parseBoundaryFile(zip, 'shapefile', 'test', { maxInflatedBytes: 10 * 1024 * 1024 })).rejects.toMatchObject({ statusCode: 413 })
  })
})

describe('coordinate systems', () => {
  it('reads ESRI and GDAL .prj files of each family', () => {
    expect(crsFromWkt(cgcs2000GkPrj(39, false))).toMatchObject({ label: 'CGCS2000 / 3° Gauss-Kruger CM 117°E (EPSG:4548)', proj: 'EPSG:4548' })
    const xian = 'PROJCS["Xian_1980_3_Degree_GK_CM_117E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    expect(crsFromWkt(xian)).toMatchObject({ approximate: true, proj: 'EPSG:2384' })
    // parameters no EPSG code has: a PROJ string of their own
    expect(crsFromWkt(xian.replace('"False_Easting",500000.0', '"False_Easting",400000.0'))).toMatchObject({ proj: expect.stringContaining('+x_0=400000 +y_0=0 +a=6378140 +rf=298.257') })
    const beijing = 'PROJCS["Beijing 1954 / Gauss-Kruger zone 20",GEOGCS["Beijing 1954",DATUM["Beijing_1954",SPHEROID["Krassowsky 1940",6378245,298.3]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",117],PARAMETER["scale_factor",1],PARAMETER["false_easting",20500000],PARAMETER["false_northing",0],UNIT["metre",1]]'
    expect(crsFromWkt(beijing)).toMatchObject({ label: 'Beijing 1954 / 6° Gauss-Kruger zone 20 (EPSG:21420)', approximate: true, proj: 'EPSG:21420' })
    expect(crsFromWkt('GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')).toMatchObject({ geographic: true, label: 'CGCS2000 (EPSG:4490)' })
    expect(crsFromWkt('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')).toMatchObject({ geographic: true })
    expect(crsFromWkt('PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],UNIT["metre",1]]')).toHaveProperty('problem')
    expect(crsFromWkt('not wkt')).toHaveProperty('problem')
  })

  it('takes ?crs= codes: every CGCS2000 Gauss-Kruger zone, with and without the zone in the easting', () => {
    expect(crsFromParameter('EPSG:4527')).toMatchObject({ proj: 'EPSG:4527', label: 'CGCS2000 / 3° Gauss-Kruger zone 39 (EPSG:4527)' })
    expect(crsFromParameter('4548')).toMatchObject({ proj: 'EPSG:4548', label: 'CGCS2000 / 3° Gauss-Kruger CM 117°E (EPSG:4548)' })
    expect(crsFromParameter('EPSG:4499')).toMatchObject({ proj: 'EPSG:4499', label: 'CGCS2000 / 6° Gauss-Kruger zone 21 (EPSG:4499)' })
    expect(crsFromParameter('EPSG:4510')).toMatchObject({ proj: 'EPSG:4510', label: 'CGCS2000 / 6° Gauss-Kruger CM 123°E (EPSG:4510)' })
    expect(crsFromParameter('EPSG:2363')).toMatchObject({ proj: 'EPSG:2363', approximate: true })
    expect(crsFromParameter('21460')).toMatchObject({ proj: 'EPSG:21460', label: 'Beijing 1954 / 6° Gauss-Kruger CM 117°E (EPSG:21460)' })
    expect(crsFromParameter('gcj02')).toMatchObject({ gcj02: true })
    expect(crsFromParameter('EPSG:3857')).toHaveProperty('problem')
  })
})
