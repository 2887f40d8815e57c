import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { makeIdNumber } from '../../geo/id-number.ts'

// A county department's data (身份证号, 数据项, 值) loaded into the population: preview, then
// all or nothing, recorded, idempotent; the department imports its own items only.
let t: TestApp
let civil: number
let people: { id: number; id_number: string; subsistence: boolean | null }[]
beforeAll(async () => {
  t = await openTestApp({ identityLimits: { importChecksPerDay: 5 } })
  civil = (await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '民政局'`)).rows[0].id
  people = (await t.db.query<{ id: number; id_number: string; subsistence: boolean | null }>(
    `SELECT id, id_number, (items ->> 'subsistence')::boolean AS subsistence FROM residents WHERE deregistered IS NULL ORDER BY id LIMIT 6 OFFSET 300`)).rows
})
afterAll(async () => t?.close())

const csv = (rows: string[][]) => Buffer.from(['身份证号,数据项,值', ...rows.map((r) => r.join(','))].join('\r\n'))
const send = (who: string, body: Buffer, query = '', type = 'text/csv') =>
  t.as(who, { method: 'POST', url: `/api/imports/department-data${query}`, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('低保名单2026-11.csv') }, payload: body })

describe('department data import', () => {
  it('names a cell holding a NUL character as a bad row (PostgreSQL stores none), not a 500', async () => {
    // a text item, so the value would otherwise pass its type check and reach the database
    const text = (await t.db.query<{ label: string }>(`SELECT label FROM data_items WHERE department_id = $1 ORDER BY position`, [civil])).rows.map((r) => r.label)
    for (const cells of [[`${people[0].id_number.slice(0, 10)}\u0000${people[0].id_number.slice(11)}`, '低保', '是'], [people[0].id_number, '低\u0000保', '是'], [people[0].id_number, text[0], '是\u0000否']]) {
      const res = await send(`dept-${civil}`, csv([cells]), '?dryRun=1')
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json().errors).toEqual([expect.objectContaining({ row: 2, reason: 'must not contain a NUL character' })])
    }
  })

  it('previews the changes (row, masked ID number, item, new value), then applies them, and the same file again changes nothing', async () => {
    const file = csv(people.slice(0, 4).map((p, i) => [p.id_number, '低保', i % 2 ? '是' : '否']))
    const preview = await send(`dept-${civil}`, file, '?dryRun=1')
    expect(preview.statusCode, preview.body).toBe(200)
    const p = preview.json()
    expect(p).toMatchObject({ dryRun: true, rows: 4, errors: [] })
    expect(p.changed + p.unchanged).toBe(4)
    expect(p.changes[0].idNumber).toMatch(/\*/)
    // the preview gives the row, the file's ID number masked, the item and the new value: nothing the register holds
    expect(Object.keys(p.changes[0]).sort()).toEqual(['idNumber', 'item', 'row', 'value'])
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
    expect(res.json().checked).toBe('format')
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

describe('a department import is no oracle of identities', () => {
  const deregister = async (type: 'death' | 'moveOut') => {
    const r = (await t.db.query<{ id: number; id_number: string; name: string }>(
      `SELECT id, id_number, name FROM residents WHERE deregistered IS NULL ORDER BY id LIMIT 1 OFFSET ${type === 'death' ? 500 : 501}`)).rows[0]
    await t.db.query('UPDATE residents SET deregistered = $2, deregistered_on = $3 WHERE id = $1', [r.id, type, '2026-11-01'])
    return r
  }
  let dead: { id_number: string; name: string }
  let gone: { id_number: string; name: string }
  beforeAll(async () => {
    dead = await deregister('death')
    gone = await deregister('moveOut')
  })
  const unknown = makeIdNumber('371326', '1990-05-05', 777)
  const audits = async (who: string) => (await t.db.query<{ reason: string }>(
    `SELECT reason FROM audit_log WHERE username = $1 AND action = 'departmentImportCheck' ORDER BY id`, [who])).rows

  it('checks the file\'s format first, matching no ID number while any row is malformed', async () => {
    const file = csv([
      [people[0].id_number, '低保', '是'],
      [unknown, '低保', '是'],
      [dead.id_number, '低保', '是'],
      [makeIdNumber('000000', '1990-05-05', 777), '低保', '是'],
      [gone.id_number, '医疗保险', '是'],
    ])
    const res = await send(`dept-${civil}`, file, '?dryRun=1')
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ checked: 'format', changed: 0, unchanged: 0, changes: [] })
    // the malformed number and the other department's item only: nothing about who is registered
    expect(res.json().errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([[5, '身份证号'], [6, '数据项']])
  })

  it('tells the rows it cannot apply with one reason, never who died, moved away or is unknown, nor names or current values', async () => {
    const file = csv([
      [people[2].id_number, '低保', '是'],
      [unknown, '低保', '是'],
      [dead.id_number, '低保', '是'],
      [gone.id_number, '低保', '否'],
    ])
    const earlier = (await audits('admin')).length
    for (const query of [`?department=${civil}&dryRun=1`, `?department=${civil}`]) {
      const res = await send('admin', file, query)
      expect(res.statusCode).toBe(422)
      const body = res.json()
      expect(body.checked).toBe('register')
      expect(body.errors).toEqual([3, 4, 5].map((row) => ({ row, column: '身份证号', reason: 'is not a resident this import can update' })))
      for (const word of [dead.name, gone.name, 'death', 'moveOut', '已故', '迁出', 'deregistered', 'before']) expect(res.body).not.toContain(word)
      expect(body.changes.every((c: Record<string, unknown>) => !('name' in c) && !('before' in c))).toBe(true)
    }
    const trail = (await audits('admin')).slice(earlier)
    expect(trail).toHaveLength(2)
    expect(trail[0].reason).toMatch(/dry run .*低保名单2026-11\.csv.*4 rows.*3 not applicable/)
    expect(trail[1].reason).toMatch(/apply refused .*低保名单2026-11\.csv/)
  })

  it('audits every check and limits an account\'s checks per Beijing day (429 import_check_limit)', async () => {
    const justice = (await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '司法局'`)).rows[0].id
    const who = `dept-${justice}`
    const file = csv([[people[3].id_number, '法律援助', '是']])
    // a malformed file is audited but matches nothing, so it takes nothing from the allowance
    expect((await send(who, csv([['12345', '法律援助', '是']]), '?dryRun=1')).statusCode).toBe(422)
    for (let i = 0; i < 5; i++) expect((await send(who, file, '?dryRun=1')).statusCode).toBe(200)
    const past = await send(who, file, '?dryRun=1')
    expect(past.statusCode).toBe(429)
    expect(past.json().code).toBe('import_check_limit')
    expect((await send(who, file)).statusCode).toBe(429)
    expect(await audits(who)).toHaveLength(6)
    // the day's allowance is the account's own
    expect((await send(`dept-${civil}`, file, '?dryRun=1')).statusCode).not.toBe(429)
  })
})
