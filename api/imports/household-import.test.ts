import ExcelJS from 'exceljs'
import gcoord from 'gcoord'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { getStats } from '../stats/repository.ts'

// 公安's 标准地址 list loaded as households: located ones into the grid that covers them,
// the others waiting to be placed (待落图) in their grid or village; all rows or none.
let t: TestApp
type Grid = { id: number; code: string; village_id: number; lon: number; lat: number }
let a: Grid
let b: Grid
let far: Grid
beforeAll(async () => {
  t = await openTestApp()
  // two base grids of one village and one of another, each with a point well inside it
  const grids = (await t.db.query<Grid>(
    `SELECT g.id, g.code, g.village_id, ST_X(p) AS lon, ST_Y(p) AS lat
       FROM grids g, ST_PointOnSurface(g.geom) p
      WHERE g.kind = 'base' AND NOT EXISTS (SELECT 1 FROM grids x WHERE x.id <> g.id AND ST_Covers(x.geom, p))
      ORDER BY g.village_id, g.id`)).rows
  a = grids.find((g) => g.village_id === 5)!
  b = grids.find((g) => g.village_id === 5 && g.id !== a.id)!
  far = grids.find((g) => g.village_id === 9)!
})
afterAll(async () => t?.close())

const cadre = () => `cadre-${a.village_id}`
const HEAD = '户号,地址,经度,纬度,网格编码,村'
const csv = (rows: string[], head = HEAD) => Buffer.from([head, ...rows].join('\r\n'))
const send = (who: string, body: Buffer, query = '', type = 'text/csv') =>
  t.as(who, { method: 'POST', url: `/api/imports/households${query}`, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('标准地址2026.csv') }, payload: body })
const held = async (code: string) => (await t.db.query<{ grid_id: number | null; village_id: number; address: string; lon: number | null; lat: number | null }>(
  'SELECT grid_id, village_id, address, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM households WHERE code = $1', [code])).rows[0]
const changes = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM population_changes')).rows[0].n
const villageName = async (id: number) => (await t.db.query<{ name: string }>('SELECT name FROM villages WHERE id = $1', [id])).rows[0].name

describe('households import', () => {
  it('places located households in their grid, keeps the rest waiting in their grid or village; a dry run writes nothing; the same file again changes nothing', async () => {
    const file = csv([
      `HA-1,某镇某村一组1号,${a.lon},${a.lat},,`,
      `HA-2,某镇某村一组2号,${b.lon},${b.lat},,`,
      `HA-3,某镇某村二组3号,,,${a.code},`,
      `HA-4,某镇某村三组4号,,,,${await villageName(a.village_id)}`,
      'HA-5,某镇某村四组5号,,,,',
    ])
    const before = await getStats(t.db, { kind: 'grid', id: a.id }, { keyGroupDetail: true })
    const dry = await send(cadre(), file, '?dryRun=1')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ dryRun: true, rows: 5, created: 5, updated: 0, unchanged: 0, placed: 2, unplaced: 3, errors: [] })
    expect(dry.json().preview[0]).toMatchObject({ row: 2, code: 'HA-1', address: '某镇某村一组*号', action: 'create', placed: true })
    expect(await held('HA-1')).toBeUndefined()

    const applied = await send(cadre(), file)
    expect(applied.statusCode, applied.body).toBe(200)
    expect(await held('HA-1')).toMatchObject({ grid_id: a.id, village_id: a.village_id })
    expect((await held('HA-1')).lon).toBeCloseTo(a.lon, 6)
    expect(await held('HA-2')).toMatchObject({ grid_id: b.id })
    expect(await held('HA-3')).toMatchObject({ grid_id: a.id, lon: null })
    expect(await held('HA-4')).toMatchObject({ grid_id: null, village_id: a.village_id, lon: null })
    expect(await held('HA-5')).toMatchObject({ grid_id: null, village_id: a.village_id })
    // the grid's count takes its new households, placed or not; the roll-ups equal a recount
    const after = await getStats(t.db, { kind: 'grid', id: a.id }, { keyGroupDetail: true })
    expect(after!.population.households).toBe(before!.population.households + 2)
    for (const scope of [{ kind: 'village' as const, id: a.village_id }, { kind: 'grid' as const, id: b.id }]) {
      expect(await getStats(t.db, scope, { keyGroupDetail: true })).toEqual(await getStats(t.db, scope, { keyGroupDetail: true, live: true }))
    }
    const history = (await t.db.query<{ kind: string; note: string; actor: string }>(
      `SELECT c.kind, c.note, c.actor FROM population_changes c JOIN households h ON h.id = c.household_id WHERE h.code = 'HA-3'`)).rows
    expect(history).toEqual([{ kind: 'householdCreate', note: '导入：标准地址2026.csv', actor: cadre() }])

    const n = await changes()
    const again = await send(cadre(), file)
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 5 })
    expect(await changes()).toBe(n)
  })

  it('converts GCJ-02 coordinates (?crs=gcj02) and reads GBK CSV and XLSX', async () => {
    const [lon, lat] = gcoord.transform([a.lon, a.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number]
    const gbk = iconv.encode(['户号,地址,经度,纬度', `HG-1,某镇某村五组7号,${lon},${lat}`].join('\r\n'), 'gbk')
    const res = await send(cadre(), gbk, '?crs=gcj02')
    expect(res.statusCode, res.body).toBe(200)
    const [d] = (await t.db.query<{ m: number }>(
      `SELECT ST_Distance(h.geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS m FROM households h WHERE h.code = 'HG-1'`, [a.lon, a.lat])).rows
    expect(d.m).toBeLessThan(1)
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('标准地址')
    sheet.addRow(['户号', '住址', '门牌号', '经度', '纬度'])
    sheet.addRow(['HX-1', '某镇某村六组8号', '8', b.lon, b.lat])
    const xlsx = await send(cadre(), Buffer.from(await book.xlsx.writeBuffer()), '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(xlsx.statusCode, xlsx.body).toBe(200)
    expect(await held('HX-1')).toMatchObject({ grid_id: b.id })
  })

  it('names every bad row by line and column and writes nothing (all or none)', async () => {
    const file = csv([
      `HB-1,某镇某村一组1号,${a.lon},${a.lat},,`,
      ',某镇某村一组2号,,,,',
      'HB-1,某镇某村一组3号,,,,',
      `HB-3,某镇某村一组4号,${a.lon},,,`,
      'HB-4,某镇某村一组5号,100.5,30.5,,',
      `HB-5,某镇某村一组6号,${far.lon},${far.lat},,`,
      'HB-6,某镇某村一组7号,,,NO-SUCH-GRID,',
      'HB-7,某镇某村一组8号,,,,不存在村',
      `HB-8,某镇某村一组9号,${b.lon},${b.lat},${a.code},`,
      'HB-9,x,,,,',
    ])
    const res = await send(cadre(), file)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().code).toBe('rows_rejected')
    expect((res.json().errors as { row: number; column: string }[]).map((e) => [e.row, e.column])).toEqual([
      [3, '户号'], [4, '户号'], [5, '纬度'], [6, '经度'], [7, '经度'], [8, '网格编码'], [9, '村'], [10, '网格编码'], [11, '地址'],
    ])
    expect(res.json().errors[4].reason).toMatch(/outside every current grid of your scope/)
    expect(await held('HB-1')).toBeUndefined()
    // a header without its required columns is a file problem on line 1
    const head = await send(cadre(), csv(['x,y'], '编号,名称'))
    expect(head.statusCode).toBe(422)
    expect(head.json().errors[0]).toMatchObject({ row: 1, column: '(file)' })
  })

  it('keeps to the caller: her village, the file\'s ?village=, 户号 held elsewhere; a household placed already keeps its point', async () => {
    expect((await send(cadre(), csv([]), `?village=${far.village_id}`)).statusCode).toBe(403)
    expect((await send(`gw-${a.id}`, csv([]))).statusCode).toBe(403)
    expect((await send('dispatcher', csv([]))).statusCode).toBe(403)
    const elsewhere = await send('admin', csv([`HC-1,某镇某村七组1号,${far.lon},${far.lat},,`]))
    expect(elsewhere.statusCode, elsewhere.body).toBe(200)
    const taken = await send(cadre(), csv(['HC-1,某镇某村七组1号,,,,']))
    expect(taken.statusCode).toBe(422)
    expect(taken.json().errors[0]).toMatchObject({ row: 2, column: '户号', reason: 'is registered to a household outside your scope' })
    const narrowed = await send('admin', csv([`HC-2,某镇某村七组2号,${far.lon},${far.lat},,`]), `?village=${a.village_id}`)
    expect(narrowed.statusCode).toBe(422)
    expect(narrowed.json().errors[0].column).toBe('经度')

    // waiting, then placed by a later file, then never moved by one
    expect((await send(cadre(), csv(['HD-1,某镇某村八组1号,,,,']))).statusCode).toBe(200)
    const placed = await send(cadre(), csv([`HD-1,某镇某村八组1号,${a.lon},${a.lat},,`]))
    expect(placed.json()).toMatchObject({ updated: 1, placed: 1 })
    expect(await held('HD-1')).toMatchObject({ grid_id: a.id })
    const moved = await send(cadre(), csv([`HD-1,某镇某村八组1号东院,${b.lon},${b.lat},,`]))
    expect(moved.json()).toMatchObject({ updated: 1 })
    expect(await held('HD-1')).toMatchObject({ grid_id: a.id, address: '某镇某村八组1号东院' })
    const trail = (await t.db.query<{ kind: string; field: string | null }>(
      `SELECT c.kind, c.field FROM population_changes c JOIN households h ON h.id = c.household_id WHERE h.code = 'HD-1' ORDER BY c.id`)).rows
    expect(trail).toEqual([{ kind: 'householdCreate', field: null }, { kind: 'update', field: 'location' }, { kind: 'update', field: 'address' }])
  })
})
