import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { makeIdNumber } from '../../geo/id-number.ts'
import { getStats } from '../stats/repository.ts'

// A 户籍 list loaded as residents: the file checked alone, then its ID numbers against the
// register once (from a daily allowance, audited), all rows or none, each person a history row.
let t: TestApp
let village: number
let otherVillage: number
let held: { in: { id_number: string; household_id: number }; out: { id_number: string } }
beforeAll(async () => {
  t = await openTestApp({ identityLimits: { importChecksPerDay: 4 } })
  const grid = (await t.db.query<{ id: number; village_id: number; lon: number; lat: number }>(
    `SELECT id, village_id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' AND village_id = 6 ORDER BY id LIMIT 1`)).rows[0]
  village = grid.village_id
  otherVillage = 11
  const households = async (who: string, lines: string[], query = '') => {
    const res = await t.as(who, { method: 'POST', url: `/api/imports/households${query}`, headers: { 'content-type': 'text/csv' }, payload: Buffer.from(['户号,地址,经度,纬度', ...lines].join('\n')) })
    expect(res.statusCode, res.body).toBe(200)
  }
  await households(`cadre-${village}`, [`R-1,某镇某村一组1号,${grid.lon},${grid.lat}`, 'R-2,某镇某村一组2号,,'])
  await households('admin', ['R-9,某镇他村一组9号,,'], `?village=${otherVillage}`)
  const pick = async (v: number) => (await t.db.query<{ id_number: string; household_id: number }>(
    `SELECT r.id_number, r.household_id FROM residents r JOIN households h ON h.id = r.household_id WHERE h.village_id = $1 ORDER BY r.id LIMIT 1`, [v])).rows[0]
  held = { in: await pick(village), out: await pick(otherVillage) }
})
afterAll(async () => t?.close())

const HEAD = '身份证号,姓名,性别,出生日期,与户主关系,户号,联系电话,党员,民族,低保,兵役状况'
const csv = (rows: string[], head = HEAD) => Buffer.from([head, ...rows].join('\n'))
const send = (who: string, body: Buffer, query = '', type = 'text/csv') =>
  t.as(who, { method: 'POST', url: `/api/imports/residents${query}`, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('户籍2026.csv') }, payload: body })
const id = (born: string, seq: number) => makeIdNumber('371326', born, seq)
const registered = async (idNumber: string) =>
  (await t.db.query<{ id: number; household_id: number; party_member: boolean; items: Record<string, unknown> }>('SELECT id, household_id, party_member, items FROM residents WHERE id_number = $1', [idNumber])).rows[0]
const cadre = () => `cadre-${village}`

describe('residents import', () => {
  it('checks, previews, then registers every row in one go: history rows, care groups from items, the roll-ups equal a recount', async () => {
    const people = [id('1960-03-04', 311), id('1962-07-08', 312), id('1990-01-02', 313)]
    const file = csv([
      `${people[0]},张大山,男,1960-03-04,户主,R-1,13800001111,是,汉族,是,退役`,
      `${people[1]},李小花,女,1962/7/8,配偶,R-1,,否,汉族,,`,
      `${people[2].toLowerCase()},张明,男,19900102,户主,R-2,,,回族,否,未服兵役`,
    ])
    const before = await getStats(t.db, { kind: 'village', id: village }, { keyGroupDetail: true })
    const dry = await send(cadre(), file, '?dryRun=1')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ dryRun: true, checked: 'register', rows: 3, created: 3, households: 2, errors: [], items: ['民族', '低保', '兵役状况'] })
    expect(dry.json().preview[0]).toMatchObject({ row: 2, name: '张*山', code: 'R-1', items: 3 })
    expect(dry.json().preview[0].idNumber).toMatch(/\*{10}/)
    expect(await registered(people[0])).toBeUndefined()

    const applied = await send(cadre(), file)
    expect(applied.statusCode, applied.body).toBe(200)
    const a = await registered(people[0])
    expect(a).toMatchObject({ party_member: true, items: { ethnicity: '汉族', subsistence: true, militaryService: '退役' } })
    const tags = (await t.db.query<{ tag: string }>(`SELECT tag FROM resident_tags WHERE resident_id = $1 AND kind = 'care' ORDER BY tag`, [a.id])).rows.map((x) => x.tag)
    expect(tags).toEqual(['低保对象', '退役军人'])
    expect(await registered(people[2])).toMatchObject({ items: { ethnicity: '回族', subsistence: false } })
    const history = (await t.as(cadre(), `/api/residents/${a.id}/history`)).json().entries
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ kind: 'registration', actor: cadre(), note: '户籍导入：户籍2026.csv' })
    expect(history[0].after.name).toBe('张*山')
    const after = await getStats(t.db, { kind: 'village', id: village }, { keyGroupDetail: true })
    // R-2 waits without a grid: its person is registered and counts in no grid until it is placed
    expect(after!.population.residents).toBe(before!.population.residents + 2)
    expect(after).toEqual(await getStats(t.db, { kind: 'village', id: village }, { keyGroupDetail: true, live: true }))
    const audit = (await t.as('admin', '/api/audit?action=residentImportCheck')).json().entries as { username: string; reason: string }[]
    expect(audit.map((e) => e.reason)).toEqual([expect.stringMatching(/^applied of "户籍2026.csv": 3 rows; 3 people in 2 households/), expect.stringMatching(/^dry run/)])
  })

  it('names every row the file alone gets wrong, by line and column, and registers nobody (no register lookup)', async () => {
    const good = id('1970-01-01', 321)
    const wrongCheck = id('1971-02-03', 323).slice(0, 17) + (id('1971-02-03', 323)[17] === '1' ? '2' : '1')
    const file = csv([
      `${good},王一,男,1970-01-01,户主,R-1,,,,,`,
      `${wrongCheck},王二,男,1971-02-03,子女,R-1,,,,,`,
      `${id('1972-03-04', 325)},王三,男,1972-03-05,子女,R-1,,,,,`,
      `${id('1973-04-05', 327)},王四,女,1973-04-05,子女,R-1,,,,,`,
      `${good},王五,男,1970-01-01,子女,R-1,,,,,`,
      `${id('1974-05-06', 329)},王六,男,1974-05-06,子女,NO-SUCH,,,,,`,
      `${id('1975-06-07', 331)},王七,男,1975-06-07,子女,R-9,,,,,`,
      `${id('1976-07-08', 333)},王八,男,1976-07-08,子女,R-1,,,,也许,`,
      `${id('1977-08-09', 335)},,男,1977-08-09,子女,R-1,12345,,,,`,
    ])
    const res = await send(cadre(), file)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json()).toMatchObject({ checked: 'format', code: 'rows_rejected' })
    expect((res.json().errors as { row: number; column: string }[]).map((e) => [e.row, e.column])).toEqual([
      [3, '身份证号'], [4, '出生日期'], [5, '性别'], [6, '身份证号'], [7, '户号'], [8, '户号'], [9, '低保'], [10, '姓名'], [10, '联系电话'],
    ])
    const reasons = res.json().errors.map((e: { reason: string }) => e.reason).join('\n')
    expect(reasons).toMatch(/wrong check digit/)
    expect(reasons).toMatch(/appears twice in the file \(line 2/)
    // an unknown 户号 and one outside the caller's village read alike
    expect(res.json().errors[4].reason.replace('NO-SUCH', '')).toBe(res.json().errors[5].reason.replace('R-9', ''))
    expect(await registered(good)).toBeUndefined()
    expect((await t.as('admin', '/api/audit?action=residentImportCheck')).json().entries).toHaveLength(2)
  })

  it('refuses ID numbers already registered, naming the household only in the caller\'s scope; an XLSX with date cells', async () => {
    const fresh = id('1980-10-11', 341)
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('户籍')
    sheet.addRow(['公民身份号码', '姓名', '性别', '出生日期', '关系', '户号'])
    sheet.addRow([fresh, '赵一', '男', new Date(Date.UTC(1980, 9, 11)), '户主', 'R-2'])
    const xlsx = Buffer.from(await book.xlsx.writeBuffer())
    const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    const ok = await send(cadre(), xlsx, '?dryRun=1', type)
    expect(ok.statusCode, ok.body).toBe(200)
    const file = csv([
      `${fresh},赵一,男,1980-10-11,户主,R-2,,,,,`,
      `${held.in.id_number},赵二,${Number(held.in.id_number[16]) % 2 ? '男' : '女'},${held.in.id_number.slice(6, 10)}-${held.in.id_number.slice(10, 12)}-${held.in.id_number.slice(12, 14)},子女,R-2,,,,,`,
      `${held.out.id_number},赵三,${Number(held.out.id_number[16]) % 2 ? '男' : '女'},${held.out.id_number.slice(6, 10)}-${held.out.id_number.slice(10, 12)}-${held.out.id_number.slice(12, 14)},子女,R-2,,,,,`,
    ])
    const res = await send(cadre(), file)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().checked).toBe('register')
    const [inScope, outside] = res.json().errors as { row: number; column: string; reason: string }[]
    expect(inScope).toMatchObject({ row: 3, column: '身份证号', reason: expect.stringContaining(`in household ${held.in.household_id}`) })
    expect(outside).toMatchObject({ row: 4, column: '身份证号' })
    expect(outside.reason).toMatch(/^is already registered \(\d{6}\*+[\dX]{2}\)$/)
    expect(await registered(fresh)).toBeUndefined()
    // the fourth check of the day was the last: the next is refused before the file is read
    const over = await send(cadre(), file, '?dryRun=1')
    expect(over.statusCode).toBe(429)
    expect(over.json().code).toBe('import_check_limit')
    expect((await send(`gw-${1}`, file)).statusCode).toBe(403)
  })
})
