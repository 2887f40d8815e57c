import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// A county department's data (身份证号, 数据项, 值) loaded into the population: preview, then
// all or nothing, recorded, idempotent; the department imports its own items only.
let t: TestApp
let civil: number
let people: { id: number; id_number: string; subsistence: boolean | null }[]
beforeAll(async () => {
  t = await openTestApp()
  civil = (await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '民政局'`)).rows[0].id
  people = (await t.db.query<{ id: number; id_number: string; subsistence: boolean | null }>(
    `SELECT id, id_number, (items ->> 'subsistence')::boolean AS subsistence FROM residents WHERE deregistered IS NULL ORDER BY id LIMIT 6 OFFSET 300`)).rows
})
afterAll(async () => t?.close())

const csv = (rows: string[][]) => Buffer.from(['身份证号,数据项,值', ...rows.map((r) => r.join(','))].join('\r\n'))
const send = (who: string, body: Buffer, query = '', type = 'text/csv') =>
  t.as(who, { method: 'POST', url: `/api/imports/department-data${query}`, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('低保名单2026-11.csv') }, payload: body })

describe('department data import', () => {
  it('previews the changes before → after, then applies them, and the same file again changes nothing', async () => {
    const file = csv(people.slice(0, 4).map((p, i) => [p.id_number, '低保', i % 2 ? '是' : '否']))
    const preview = await send(`dept-${civil}`, file, '?dryRun=1')
    expect(preview.statusCode, preview.body).toBe(200)
    const p = preview.json()
    expect(p).toMatchObject({ dryRun: true, rows: 4, errors: [] })
    expect(p.changed + p.unchanged).toBe(4)
    expect(p.changes[0].idNumber).toMatch(/\*/)
    const stored = async () => (await t.db.query<{ v: boolean | null }>(`SELECT (items ->> 'subsistence')::boolean AS v FROM residents WHERE id = $1`, [people[1].id])).rows[0].v
    expect(await stored()).toBe(people[1].subsistence)
    const applied = await send(`dept-${civil}`, file)
    expect(applied.statusCode).toBe(200)
    expect(applied.json()).toMatchObject({ dryRun: false, changed: p.changed })
    expect(await stored()).toBe(true)
    expect((await t.db.query(`SELECT 1 FROM resident_tags WHERE resident_id = $1 AND tag = '低保对象'`, [people[1].id])).rows).toHaveLength(1)
    const again = await send(`dept-${civil}`, file)
    expect(again.json()).toMatchObject({ changed: 0, unchanged: 4 })
    const history = (await t.as('admin', `/api/residents/${people[1].id}/history`)).json().entries
    expect(history.at(-1)).toMatchObject({ kind: 'import', field: 'items.subsistence', after: '***', actor: `dept-${civil}` })
    const log = (await t.as('admin', '/api/imports/department-data')).json()
    expect(log[0]).toMatchObject({ departmentId: civil, fileName: '低保名单2026-11.csv', changed: 0, unchanged: 4 })
    expect(log[1]).toMatchObject({ changed: p.changed })
  })

  it('names every bad row by row and column and changes nothing (all or none)', async () => {
    const before = (await t.db.query<{ items: unknown }>('SELECT items FROM residents WHERE id = $1', [people[4].id])).rows[0].items
    const file = csv([
      [people[4].id_number, '低保', '是'],
      ['370000199001011234', '低保', '是'],
      [people[5].id_number, '不存在的项', '是'],
      [people[5].id_number, '低保', '也许'],
      [people[5].id_number, '残疾等级', '一级'],
      [people[5].id_number, '姓名', '张三'],
    ])
    const res = await send(`dept-${civil}`, file)
    expect(res.statusCode).toBe(422)
    const errors = res.json().errors as { row: number; column: string; reason: string }[]
    expect(errors.map((e) => [e.row, e.column])).toEqual([[3, '身份证号'], [4, '数据项'], [5, '值'], [6, '数据项'], [7, '数据项']])
    expect(errors[2].reason).toMatch(/是 or 否/)
    expect(errors[3].reason).toMatch(/not 民政局's item/)
    expect((await t.db.query<{ items: unknown }>('SELECT items FROM residents WHERE id = $1', [people[4].id])).rows[0].items).toEqual(before)
  })

  it('reads XLSX too, and keeps each department to its own items', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('名单')
    sheet.addRow(['身份证号', '数据项', '值'])
    sheet.addRow([people[4].id_number, '特困供养', '否'])
    const xlsx = Buffer.from(await book.xlsx.writeBuffer())
    const res = await send(`dept-${civil}`, xlsx, '?dryRun=1', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().rows).toBe(1)
    expect((await send(`dept-${civil}`, csv([]), `?department=${civil + 1}`)).statusCode).toBe(403)
    expect((await send('admin', csv([]))).json().message).toMatch(/querystring\/department is required/)
    expect((await send('admin', csv([[people[4].id_number, '低保', '否']]), `?department=${civil}&dryRun=1`)).statusCode).toBe(200)
    for (const who of ['dispatcher', 'leader', `cadre-1`, 'display']) expect((await send(who, csv([]))).statusCode, who).toBe(403)
    const badHeader = await t.as(`dept-${civil}`, { method: 'POST', url: '/api/imports/department-data', headers: { 'content-type': 'text/csv' }, payload: Buffer.from('id,item,value\n1,2,3') })
    expect(badHeader.json().errors[0]).toMatchObject({ row: 1, column: '(file)' })
  })
})
