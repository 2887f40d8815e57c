import ExcelJS from 'exceljs'
import gcoord from 'gcoord'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEmptyApp, type EmptyApp } from '../test/empty-app.ts'
import { insertSmallTownship } from '../test/small-township.ts'

// 车辆与设施 from sheets: a township's trucks and collection points in bulk, as files come
// (CSV in UTF-8 or GBK, XLSX), a dry run first, all rows or none, refused rows named.
let t: EmptyApp
beforeAll(async () => {
  t = await openEmptyApp()
  // villages 371326100001 (第1村, 117.40–117.41°E) and 371326100002 (第2村, 117.41–117.42°E), 35.10–35.11°N
  await insertSmallTownship(t.db, { townCode: '371326100', townName: '新镇', villages: 2, gridsPerVillage: 2 })
})
afterAll(async () => t?.close())

const send = (path: string, body: Buffer, dryRun: boolean, type = 'text/csv', query = '') =>
  t.as('admin', { method: 'POST', url: `/api/imports/${path}?dryRun=${dryRun ? 1 : 0}${query}`, headers: { 'content-type': type }, payload: body })
const count = async (table: string) => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
const csv = (...lines: string[]) => Buffer.from(lines.join('\r\n'))

const TRUCKS = [
  '车牌号,车辆类型,名称,驾驶员,联系电话,所属村',
  '鲁Q·A1001,垃圾清运车,1号车,张师傅,13800001111,第1村',
  '鲁QD10002,压缩式垃圾车,,李师傅,,371326100002',
  '鲁Q A1003,洒水车,洒水车,王师傅,0539-1234567,',
]

describe('trucks (POST /api/imports/vehicles)', () => {
  it('previews a good file on a dry run and writes nothing', async () => {
    const res = await send('vehicles', csv(...TRUCKS), true)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ rows: 3, created: 0, dryRun: true, errors: [] })
    expect(res.json().vehicles).toEqual([
      { row: 2, plate: '鲁Q·A1001', kind: 'garbageTruck', kindLabel: '垃圾清运车', name: '1号车', driverName: '张师傅', driverPhone: '13800001111', villageName: '第1村' },
      { row: 3, plate: '鲁Q·D10002', kind: 'compactor', kindLabel: '压缩式垃圾车', name: '鲁Q·D10002', driverName: '李师傅', driverPhone: null, villageName: '第2村' },
      { row: 4, plate: '鲁Q·A1003', kind: 'sprinkler', kindLabel: '洒水车', name: '洒水车', driverName: '王师傅', driverPhone: '0539-1234567', villageName: null },
    ])
    expect(await count('vehicles')).toBe(0)
  })

  it('refuses the whole file when a row is bad, naming every bad row and column', async () => {
    const res = await send('vehicles', csv(...TRUCKS, '鲁Q123,垃圾车,,,abc,第9村', '鲁QA1001,洒水车,,赵师傅,,'), false)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().code).toBe('rows_rejected')
    expect(res.json().errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [5, '车牌号'], [5, '车辆类型'], [5, '驾驶员'], [5, '联系电话'], [5, '所属村'], [6, '车牌号'],
    ])
    expect(res.json().errors[5].reason).toMatch(/also on line 2/)
    expect(await count('vehicles')).toBe(0)
  })

  it('imports all rows of a GBK file, the trucks in their villages and towns; a plate on the road is then a bad row', async () => {
    const res = await send('vehicles', iconv.encode(TRUCKS.join('\r\n'), 'gbk'), false)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ created: 3, dryRun: false })
    const list = (await t.as('admin', '/api/fleet/vehicles')).json() as { plate: string; villageName: string | null; townName: string | null }[]
    expect(list.map((v) => [v.plate, v.villageName, v.townName])).toEqual([
      ['鲁Q·A1001', '第1村', '新镇'], ['鲁Q·A1003', null, null], ['鲁Q·D10002', '第2村', '新镇'],
    ])
    const again = await send('vehicles', csv(TRUCKS[0], '鲁QA1001,洒水车,,赵师傅,,'), true)
    expect(again.statusCode).toBe(422)
    expect(again.json().errors[0]).toMatchObject({ row: 2, column: '车牌号', reason: expect.stringMatching(/already on vehicle/) })
  })

  it('reads XLSX and says which column is missing', async () => {
    const book = new ExcelJS.Workbook()
    book.addWorksheet('车辆').addRows([['车牌号', '车辆类型', '驾驶员'], ['鲁QF12345', '洗扫车', '周师傅']])
    const xlsx = Buffer.from(await book.xlsx.writeBuffer())
    const res = await send('vehicles', xlsx, true, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().vehicles[0]).toMatchObject({ plate: '鲁Q·F12345', kind: 'sweeper' })
    const missing = await send('vehicles', csv('车牌号,名称', '鲁QF12345,x'), true)
    expect(missing.statusCode).toBe(422)
    expect(missing.json().errors[0]).toMatchObject({ row: 1, column: '(file)', reason: expect.stringMatching(/车辆类型, 驾驶员 is missing/) })
  })
})

describe('collection points (POST /api/imports/collection-points)', () => {
  const [glon, glat] = gcoord.transform([117.405, 35.105], gcoord.WGS84, gcoord.GCJ02) as [number, number]
  const POINTS = ['名称,所属村,经度,纬度,垃圾桶数', '村口,第1村,117.405,35.105,4', '小学旁,371326100002,117.415,35.105,']

  it('previews, then refuses a file with a point in another village or off the map, by row and column, writing nothing', async () => {
    const dry = await send('collection-points', csv(...POINTS), true)
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json().points.map((p: { row: number; villageName: string; bins: number }) => [p.row, p.villageName, p.bins])).toEqual([[2, '第1村', 4], [3, '第2村', 1]])
    const bad = await send('collection-points', csv(...POINTS, '错村,第1村,117.415,35.105,', '海上,第1村,120.5,30.1,', ',第1村,abc,35.1,0'), false)
    expect(bad.statusCode, bad.body).toBe(422)
    expect(bad.json().errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([[4, '经度'], [5, '经度'], [6, '名称'], [6, '经度'], [6, '垃圾桶数']])
    expect(bad.json().errors[0].reason).toMatch(/lies in 第2村, not in 第1村/)
    expect(await count('collection_points')).toBe(0)
  })

  it('imports every row, GCJ-02 converted when chosen, onto the map', async () => {
    // as read off 高德: without ?crs=gcj02 it lies ~500 m off, in the next village
    const file = csv(POINTS[0], `高德点,第1村,${glon},${glat},2`)
    const res = await send('collection-points', file, false, 'text/csv', '&crs=gcj02')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().created).toBe(1)
    const p = res.json().points[0]
    expect(Math.abs(p.lon - 117.405)).toBeLessThan(1e-5)
    expect(Math.abs(p.lat - 35.105)).toBeLessThan(1e-5)
    expect((await send('collection-points', csv(...POINTS), false)).json().created).toBe(2)
    const map = (await t.as('admin', '/api/facilities')).json().collectionPoints.features as { properties: { name: string } }[]
    expect(map.map((f) => f.properties.name).sort()).toEqual(['小学旁', '村口', '高德点'])
  })
})
