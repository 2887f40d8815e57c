import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { makeIdNumber } from '../../geo/id-number.ts'
import { NOT_COUNTED } from './import.ts'

// 民政's spreadsheets into 民生资金: per village or a payment list summed per village; a dry run
// writes nothing; all rows or none, bad rows named by line; a (village, month, category) in a
// file replaces the figure held for it; a payment list's match is counted and audited.
let t: TestApp
let civil: string
let latest: string
let names: Map<number, string>
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
beforeAll(async () => {
  t = await openTestApp({ identityLimits: { importChecksPerDay: 3 } })
  civil = `dept-${(await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '民政局'`)).rows[0].id}`
  latest = (await t.db.query<{ m: string }>(`SELECT to_char(max(month), 'YYYY-MM') AS m FROM welfare_funds`)).rows[0].m
  names = new Map((await t.db.query<{ id: number; name: string }>('SELECT id, name FROM villages')).rows.map((v) => [v.id, v.name]))
})
afterAll(async () => t?.close())

const csv = (header: string, rows: (string | number)[][]) => Buffer.from([header, ...rows.map((r) => r.join(','))].join('\r\n'))
const send = (who: string, body: Buffer, query = '', type = 'text/csv') =>
  t.as(who, { method: 'POST', url: `/api/imports/welfare-funds${query}`, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('民政资金.csv') }, payload: body })
const figure = async (village: number, month: string, category: string) => (await t.db.query<{ amount: number; recipients: number; source: string | null }>(
  `SELECT amount_yuan AS amount, recipients, source FROM welfare_funds WHERE village_id = $1 AND month = $2::date AND category = $3`, [village, `${month}-01`, category])).rows[0] ?? null
/** every figure, as one string: a write anywhere changes it */
const snapshot = async () => JSON.stringify((await t.db.query(`SELECT village_id, month, category, amount_yuan, recipients FROM welfare_funds ORDER BY 1, 2, 3`)).rows)
const VILLAGE = '村,月份,类别,金额,人数'
const PERSON = '身份证号,类别,金额,月份'

describe('per-village files (村,月份,类别,金额,人数)', () => {
  it('previews without writing, then replaces each village, month and category it names and keeps the rest; the same file again changes nothing', async () => {
    const keptBefore = await figure(1, latest, '特困供养金')
    const file = csv(VILLAGE, [
      [names.get(1)!, latest, '低保', '"12,345.67"', 30],
      [names.get(1)!, latest, '孤儿基本生活费', 1800, 2],
      [names.get(2)!, latest.replace('-', '年') + '月', '高龄津贴', '¥2000.5', 20],
    ])
    const before = await snapshot()
    const dry = await send(civil, file, '?dryRun=1')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ shape: 'village', rows: 3, created: 1, replaced: 2, unchanged: 0, totalYuan: 16146.17, dryRun: true, errors: [] })
    expect(dry.json().entries.map((e: { villageId: number; category: string; action: string }) => [e.villageId, e.category, e.action]))
      .toEqual([[1, '低保金', 'replace'], [1, '孤儿基本生活费', 'create'], [2, '高龄津贴', 'replace']])
    expect(dry.json().entries[0].before).toEqual({ amountYuan: (await figure(1, latest, '低保金'))!.amount, recipients: (await figure(1, latest, '低保金'))!.recipients })
    expect(await snapshot()).toBe(before)

    const applied = await send(civil, file)
    expect(applied.statusCode, applied.body).toBe(200)
    expect(applied.json().importId).toBeGreaterThan(0)
    expect(await figure(1, latest, '低保金')).toEqual({ amount: 12345.67, recipients: 30, source: 'import: 民政资金.csv' })
    expect(await figure(1, latest, '孤儿基本生活费')).toMatchObject({ amount: 1800, recipients: 2 })
    expect(await figure(2, latest, '高龄津贴')).toMatchObject({ amount: 2000.5, recipients: 20 })
    // the categories the file does not name keep their figures
    expect(await figure(1, latest, '特困供养金')).toEqual(keptBefore)

    const again = await send(civil, file)
    expect(again.json()).toMatchObject({ created: 0, replaced: 0, unchanged: 3 })
    const log = (await t.as('admin', '/api/imports/welfare-funds')).json()
    expect(log[0]).toMatchObject({ actor: civil, fileName: '民政资金.csv', shape: 'village', created: 0, unchanged: 3 })
    expect(log[1]).toMatchObject({ created: 1, replaced: 2 })
  })

  it('names every bad row by its line (header = line 1) and column and writes nothing', async () => {
    const before = await snapshot()
    const file = csv(VILLAGE, [
      [names.get(3)!, latest, '低保金', 100, 1],
      ['不存在村', latest, '低保金', 100, 1],
      [names.get(3)!, '2026-13', '低保金', 100, 1],
      [names.get(3)!, '2999-01', '低保金', 100, 1],
      [names.get(3)!, latest, '低保费', 100, 1],
      [names.get(3)!, latest, '高龄津贴', '12.345', 1],
      [names.get(3)!, latest, '临时救助', 100, -1],
      [names.get(3)!, latest, '低保', 200, 2],
    ])
    const res = await send(civil, file)
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('rows_rejected')
    expect(res.json().errors.map((e: { row: number; column: string }) => [e.row, e.column]))
      .toEqual([[3, '村'], [4, '月份'], [5, '月份'], [6, '类别'], [7, '金额'], [8, '人数'], [9, '类别']])
    expect(res.json().errors[3].reason).toMatch(/低保金、特困供养金/)
    expect(res.json().errors[6].reason).toMatch(/repeats line 2/)
    expect(res.json().message).toMatch(/7 rows cannot be imported: row 3/)
    expect(await snapshot()).toBe(before)
  })

  it('says which columns are missing, and reads XLSX', async () => {
    const bad = await send(civil, csv('村,月份,类别,金额', [[names.get(3)!, latest, '低保金', 100]]), '?dryRun=1')
    expect(bad.statusCode).toBe(422)
    expect(bad.json().errors).toEqual([expect.objectContaining({ row: 1, column: '(file)', reason: expect.stringMatching(/column 人数 is missing/) })])
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('民生资金')
    sheet.addRow(['村名', '发放月份', '资金类别', '发放金额(元)', '发放人数'])
    sheet.addRow([names.get(4)!, latest, '临时救助', 2500, 2])
    const res = await send(civil, Buffer.from(await book.xlsx.writeBuffer()), '?dryRun=1', XLSX)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().entries).toEqual([expect.objectContaining({ villageId: 4, month: latest, category: '临时救助', amountYuan: 2500, recipients: 2 })])
  })

  it("admits the admin and 民政局's account only, and refuses the others before the body is read", async () => {
    const other = `dept-${(await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '公安局'`)).rows[0].id}`
    const refused = await send(other, Buffer.from('not even a table'))
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('not_welfare_department')
    for (const who of ['leader', 'dispatcher', 'cadre-1', 'display']) expect((await send(who, Buffer.from('x'))).statusCode, who).toBe(403)
    expect((await send('admin', csv(VILLAGE, [[names.get(5)!, latest, '低保金', 1, 1]]), '?dryRun=1')).statusCode).toBe(200)
  })
})

describe('payment lists (身份证号,类别,金额,月份)', () => {
  const living = async (village: number, n: number) => (await t.db.query<{ id: number; id_number: string; name: string }>(
    `SELECT r.id, r.id_number, r.name FROM residents r JOIN households h ON h.id = r.household_id
      WHERE h.village_id = $1 AND r.deregistered IS NULL ORDER BY r.id LIMIT $2 OFFSET 40`, [village, n])).rows
  const audits = async (who: string) => (await t.db.query<{ reason: string }>(
    `SELECT reason FROM audit_log WHERE username = $1 AND action = 'welfareImportCheck' ORDER BY id`, [who])).rows

  it("sums the list per village of each person's household and stores no one", async () => {
    const six = await living(6, 3)
    const seven = await living(7, 2)
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('发放名单')
    sheet.addRow(['身份证号', '姓名', '类别', '金额', '月份'])
    for (const p of six) sheet.addRow([p.id_number, p.name, '残疾人两项补贴', 95.5, latest])
    for (const p of seven) sheet.addRow([p.id_number, p.name, '残疾人补贴', 100, latest])
    sheet.addRow([seven[0].id_number, seven[0].name, '临时救助', 1000, latest])
    const file = Buffer.from(await book.xlsx.writeBuffer())
    const dry = await send(civil, file, '?dryRun=1', XLSX)
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ shape: 'person', matched: true, rows: 6, totalYuan: 1486.5, ignoredColumns: ['姓名'] })
    expect(dry.json().entries.map((e: { villageId: number; category: string; amountYuan: number; recipients: number }) => [e.villageId, e.category, e.amountYuan, e.recipients]))
      .toEqual([[6, '残疾人两项补贴', 286.5, 3], [7, '临时救助', 1000, 1], [7, '残疾人两项补贴', 200, 2]])
    // sums and villages only: no name, no ID number, masked or not
    for (const p of [...six, ...seven]) {
      expect(dry.body).not.toContain(p.name)
      expect(dry.body).not.toContain(p.id_number.slice(-4))
    }
    expect((await send(civil, file, '', XLSX)).statusCode).toBe(200)
    expect(await figure(6, latest, '残疾人两项补贴')).toMatchObject({ amount: 286.5, recipients: 3 })
    expect(await figure(7, latest, '临时救助')).toMatchObject({ amount: 1000, recipients: 1 })
    const stored = JSON.stringify((await t.db.query(`SELECT * FROM welfare_funds WHERE updated_by = $1`, [civil])).rows)
    expect(stored).not.toContain(six[0].id_number)
  })

  it('counts unknown people, and people gone before the month, alike: one reason, no name, nothing written', async () => {
    const [here, dead, early] = await living(8, 3)
    await t.db.query(`UPDATE residents SET deregistered = 'death', deregistered_on = $2::date - 1 WHERE id = $1`, [dead.id, `${latest}-01`])
    // gone within the month: she was paid for it
    await t.db.query(`UPDATE residents SET deregistered = 'moveOut', deregistered_on = $2::date + 3 WHERE id = $1`, [early.id, `${latest}-01`])
    const unknown = makeIdNumber('371326', '1950-03-04', 913)
    const before = await snapshot()
    const res = await send(civil, csv(PERSON, [[here.id_number, '高龄津贴', 100, latest], [dead.id_number, '高龄津贴', 100, latest], [unknown, '高龄津贴', 100, latest], [early.id_number, '高龄津贴', 100, latest]]))
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ matched: true, entries: [] })
    expect(res.json().errors).toEqual([3, 4].map((row) => ({ row, column: '身份证号', reason: NOT_COUNTED })))
    for (const word of [dead.name, 'death', 'died', '已故', here.name, names.get(8)!]) expect(res.body).not.toContain(word)
    expect(await snapshot()).toBe(before)
  })

  it('checks the file alone first (no match, no allowance), then takes each match from the daily allowance and audits it; a per-village file takes none', async () => {
    const [p] = await living(9, 1)
    const earlier = (await audits('admin')).length
    // a malformed number and a person paid twice in a month: the file's own faults, found before any match
    const malformed = await send('admin', csv(PERSON, [['12345', '低保金', 10, latest], [p.id_number, '低保金', 10, latest], [p.id_number, '低保', 10, latest]]), '?dryRun=1')
    expect(malformed.statusCode).toBe(422)
    expect(malformed.json().matched).toBe(false)
    expect(malformed.json().errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([[2, '身份证号'], [4, '身份证号']])
    expect(await audits('admin')).toHaveLength(earlier)
    const file = csv(PERSON, [[p.id_number, '低保金', 10, latest]])
    for (let i = 0; i < 3; i++) expect((await send('admin', file, '?dryRun=1')).statusCode).toBe(200)
    const past = await send('admin', file, '?dryRun=1')
    expect(past.statusCode).toBe(429)
    expect(past.json().code).toBe('import_check_limit')
    const trail = (await audits('admin')).slice(earlier)
    expect(trail).toHaveLength(3)
    expect(trail[0].reason).toMatch(/dry run of payment list "民政资金\.csv": 1 rows; 1 village figures, 10 yuan/)
    expect(trail.some((a) => a.reason.includes(p.id_number.slice(-6)))).toBe(false)
    expect((await send('admin', csv(VILLAGE, [[names.get(9)!, latest, '低保金', 10, 1]]), '?dryRun=1')).statusCode).toBe(200)
  })
})
