import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

let t: TestApp
let inside: { lon: number; lat: number }
beforeAll(async () => {
  t = await openTestApp()
  inside = (await t.db.query<{ lon: number; lat: number }>('SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE id = 7')).rows[0]
})
afterAll(async () => t?.close())

const HEAD = '工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话'
const row = (id: string, over: Partial<Record<'time' | 'category' | 'text' | 'lon' | 'lat' | 'phone', string>> = {}) =>
  [id, over.time ?? '2026-11-03 09:15', over.category ?? '环境卫生', over.text ?? '"路边垃圾堆放,无人清理"', '店子镇', over.lon ?? String(inside.lon), over.lat ?? String(inside.lat), '王先生', over.phone ?? '13800001111'].join(',')
const send = (body: Buffer | string, type = 'text/csv', user = 'dispatcher') =>
  t.as(user, { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': type }, payload: typeof body === 'string' ? Buffer.from(body) : body })
const count = async (prefix: string) =>
  (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM work_orders WHERE source = 'hotline' AND external_id LIKE $1", [`${prefix}%`])).rows[0].n

describe('12345 hotline import', () => {
  it('imports a CSV export (UTF-8 with BOM), and the same file again adds nothing', async () => {
    const csv = '\uFEFF' + [HEAD, row('A-001'), row('A-002', { category: 'road', text: '路灯不亮' }), row('A-003', { time: '2026/11/4 8:05' })].join('\r\n')
    const res = await send(csv)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ rows: 3, imported: 3, alreadyImported: 0, errors: [] })
    const again = await send(csv)
    expect(again.json()).toEqual({ rows: 3, imported: 0, alreadyImported: 3, errors: [] })
    expect(await count('A-')).toBe(3)
    const o = (await t.db.query<{ state: string; grid_id: number; created_at: Date; description: string }>(
      "SELECT state, grid_id, created_at, description FROM work_orders WHERE external_id = 'A-001'")).rows[0]
    expect(o).toMatchObject({ state: 'asked', grid_id: 7, description: '路边垃圾堆放,无人清理' })
    expect(new Date(o.created_at).toISOString()).toBe('2026-11-03T01:15:00.000Z')
    // the caller's phone is kept for the call back, never shown
    const shown = await t.as('display', '/api/work-orders?limit=500')
    expect(shown.body).not.toContain('13800001111')
  })

  it('previews a file without writing anything (?dryRun=1), then imports it', async () => {
    const csv = [HEAD, row('P-001'), row('P-002', { category: 'road', text: '井盖缺失' })].join('\r\n')
    const preview = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import?dryRun=1', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })
    expect(preview.statusCode).toBe(200)
    const p = preview.json()
    expect(p).toMatchObject({ dryRun: true, rows: 2, imported: 0, wouldImport: 2, alreadyImported: 0, errors: [] })
    expect(p.preview.map((r: { externalId: string }) => r.externalId)).toEqual(['P-001', 'P-002'])
    expect(p.preview[0].place).toMatch(/村.*网格/)
    expect(await count('P-')).toBe(0)
    expect((await send(csv)).json()).toMatchObject({ imported: 2 })
    const again = (await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import?dryRun=1', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })).json()
    expect(again).toMatchObject({ wouldImport: 0, alreadyImported: 2 })
    expect(again.preview.every((r: { importedBefore: boolean }) => r.importedBefore)).toBe(true)
    // a bad row is named by row and column in the preview too, and nothing is written
    const bad = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import?dryRun=1', headers: { 'content-type': 'text/csv' }, payload: Buffer.from([HEAD, row('P-003', { time: 'yesterday' })].join('\n')) })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().errors).toEqual([expect.objectContaining({ row: 2, field: 'time' })])
  })

  it('reads the GBK CSV that Excel writes', async () => {
    const res = await send(iconv.encode([HEAD, row('G-001')].join('\r\n'), 'gbk'))
    expect(res.json()).toMatchObject({ imported: 1, errors: [] })
  })

  it('reads an XLSX export', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('工单')
    sheet.addRow(HEAD.split(','))
    sheet.addRow(['X-001', '2026-11-05 10:00', '矛盾纠纷', '邻里纠纷需调解', '', inside.lon, inside.lat, '李女士', '13900002222'])
    const res = await send(Buffer.from(await book.xlsx.writeBuffer()), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.json()).toMatchObject({ imported: 1, errors: [] })
    expect(await count('X-')).toBe(1)
  })

  it('imports nothing from a file with bad rows, and names each by row and column', async () => {
    const csv = [
      HEAD,
      row('B-001'),
      row('B-002', { category: '外星人' }),
      row('B-003', { time: '2026-02-31 10:00' }),
      row('B-001'),
      row('B-005', { lon: '116.0', lat: '34.0' }),
      row('B-006', { phone: 'call me' }),
    ].join('\n')
    const res = await send(csv)
    expect(res.statusCode).toBe(422)
    expect(res.json().imported).toBe(0)
    expect(res.json().errors).toEqual([
      { row: 3, field: 'category', reason: 'is not a known category (外星人)' },
      { row: 4, field: 'time', reason: 'is not a time like 2026-11-03 09:15 (2026-02-31 10:00)' },
      { row: 5, field: 'externalId', reason: 'appears twice in the file (B-001)' },
      { row: 6, field: 'lon', reason: '(116, 34) is outside every grid of the township' },
      { row: 7, field: 'reporterPhone', reason: 'is not a phone number' },
    ])
    // not even the good first row
    expect(await count('B-')).toBe(0)
  })

  it('says which column is missing, refuses other formats and other roles', async () => {
    const res = await send('工单编号,受理时间,诉求内容\nC-1,2026-11-01 08:00,文本')
    expect(res.statusCode).toBe(422)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['category', 'lon', 'lat'])
    expect((await send('{}', 'application/json')).statusCode).toBe(415)
    expect((await send('x', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).statusCode).toBe(400)
    expect((await send([HEAD, row('D-001')].join('\n'), 'text/csv', 'gw-7')).statusCode).toBe(403)
  })
})

describe('12345 hotline import: limits', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

  it('refuses a CSV with a giant record, too many lines or too many rows, naming the limit (413)', async () => {
    const giant = await send([HEAD, row('L-001', { text: 'x'.repeat(1_000_000) })].join('\n'))
    expect(giant.statusCode).toBe(413)
    expect(giant.json().message).toBe('body line 2 holds a record longer than 65,536 bytes (maxRecordBytes)')
    const lines = await send(HEAD + '\n'.repeat(300_000))
    expect(lines.statusCode).toBe(413)
    expect(lines.json().message).toBe('body has more than 200,000 lines (maxLines)')
    const rows = await send([HEAD, ...Array.from({ length: 20_001 }, (_, i) => row(`L-${i}`))].join('\n'))
    expect(rows.statusCode).toBe(413)
    expect(rows.json().message).toBe('body has more than 20,000 rows (maxRows)')
    expect(await count('L-')).toBe(0)
  })

  it('reads CSV and XLSX bodies of up to 20 MB on the import route only; every other route keeps the 1 MB limit', async () => {
    const twoMb = Buffer.alloc(2 * 1024 * 1024, 'a')
    for (const type of ['text/csv', XLSX]) {
      const other = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders', headers: { 'content-type': type }, payload: twoMb })
      expect(other.statusCode).toBe(415)
    }
    // JSON sent to the import route is held to the server's 1 MB
    const json = await t.as('dispatcher', { method: 'POST', url: '/api/work-orders/import', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: twoMb.toString() }) })
    expect(json.statusCode).toBe(413)
    expect((await send(Buffer.alloc(20 * 1024 * 1024 + 1, 'a'))).statusCode).toBe(413)
    // a role that may not import is refused before its 21 MB are read
    expect((await send(Buffer.alloc(21 * 1024 * 1024, 'a'), 'text/csv', 'gw-7')).statusCode).toBe(403)
  })
})
