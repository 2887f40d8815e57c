import { idNumberProblem } from '../../geo/id-number.ts'
import { WELFARE_CATEGORIES, welfareCategory, type WelfareCategory } from '../../geo/welfare.ts'
import { maskIdNumber } from '../privacy/mask.ts'
import { beijingToday } from '../population/dates.ts'
import { locateColumns, turnsEvery, yieldNow, type ColumnSpec } from '../imports/columns.ts'
import type { Table } from '../imports/table-reader.ts'

// 民政's spreadsheets come in two shapes: figures per village (村,月份,类别,金额,人数), or the
// payment list itself, one row per person (身份证号,类别,金额,月份), which the import sums per
// village. This reads either row by row, alone: nothing here looks anyone up.

export interface RowError {
  /** the spreadsheet's line (header = line 1) */
  row: number
  column: string
  reason: string
}

export type Shape = 'village' | 'person'

/** A row of a per-village file: its village as written (resolved later), the month, category, cents and people. */
export interface VillageRow {
  row: number
  village: string
  month: string
  category: WelfareCategory
  cents: number
  recipients: number
}

/** A row of a per-person file; the ID number is matched to a resident, then forgotten. */
export interface PersonRow {
  row: number
  idNumber: string
  month: string
  category: WelfareCategory
  cents: number
}

const COLUMNS: Record<string, ColumnSpec> = {
  village: { key: 'village', names: ['村', '村名', '村名称', '村(社区)', '村居', '行政村', '所属村', '村编码', '村代码'] },
  month: { key: 'month', names: ['月份', '发放月份', '资金月份', '月'] },
  category: { key: 'category', names: ['类别', '资金类别', '资金项目', '项目', '补贴类别'] },
  amount: { key: 'amount', names: ['金额', '发放金额', '金额(元)', '发放金额(元)'] },
  recipients: { key: 'recipients', names: ['人数', '发放人数', '受益人数', '人次'] },
  idNumber: { key: 'idNumber', names: ['身份证号', '公民身份号码', '身份证号码', '身份证'] },
}
const VILLAGE_SPECS = ['village', 'month', 'category', 'amount', 'recipients'].map((k) => ({ ...COLUMNS[k], required: true }))
const PERSON_SPECS = ['idNumber', 'category', 'amount', 'month'].map((k) => ({ ...COLUMNS[k], required: true }))
export const VILLAGE_HEADER = '村,月份,类别,金额,人数'
export const PERSON_HEADER = '身份证号,类别,金额,月份'

/** one row's amount: up to a hundred million yuan (a county's month of one category is far less) */
const MAX_CENTS = 100_000_000 * 100
const MAX_RECIPIENTS = 1_000_000

/** 2026-10, 2026/10, 2026.10, 2026年10月, 202610, or a date in it (2026-10-01, an Excel date cell): 'YYYY-MM-01' */
export function parseMonth(text: string): string | null {
  const s = text.trim()
  const m = /^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2}(?:[ T]00:00(?::00)?)?)?$/.exec(s) ?? /^(\d{4})年(\d{1,2})月(?:\d{1,2}日)?$/.exec(s) ?? /^(\d{4})(\d{2})$/.exec(s)
  if (!m) return null
  const month = Number(m[2])
  if (month < 1 || month > 12) return null
  return `${m[1]}-${String(month).padStart(2, '0')}-01`
}

/** 1234.5, 1,234.50, ¥1234, 1234.50元: whole cents; a cell Excel computed (41709.950000000004) rounds to its cents */
export function parseCents(text: string): number | null {
  const s = text.replace(/[\s,，¥￥元]/g, '')
  if (!/^\d+(\.\d+)?$/.test(s)) return null
  const x = Number(s) * 100
  const cents = Math.round(x)
  return Math.abs(x - cents) < 1e-6 * Math.max(1, x) ? cents : null
}

export interface ReadRows {
  shape: Shape | null
  villageRows: VillageRow[]
  personRows: PersonRow[]
  ignoredColumns: string[]
}

/**
 * The file's shape from its header (a 身份证号 column makes it a payment list), then each row:
 * a month from 2000 to this month, a known category, an amount in yuan (cents at most), the
 * number of people, an ID number that can exist; a key twice in the file is refused (the same
 * village, month and category; the same person, category and month), naming the earlier line.
 */
export async function readWelfareRows(table: Table, errors: RowError[]): Promise<ReadRows> {
  const out: ReadRows = { shape: null, villageRows: [], personRows: [], ignoredColumns: [] }
  const fileError = (reason: string) => errors.push({ row: 1, column: '(file)', reason })
  if (!table.header.length) {
    fileError('the file is empty')
    return out
  }
  const shape: Shape = locateColumns(table.header, [COLUMNS.idNumber]).at.idNumber !== undefined ? 'person' : 'village'
  const cols = locateColumns(table.header, shape === 'person' ? PERSON_SPECS : VILLAGE_SPECS)
  if (cols.missing.length) {
    fileError(`column ${cols.missing.join(', ')} is missing (the header must be ${VILLAGE_HEADER}, or ${PERSON_HEADER} for a payment list)`)
  }
  if (cols.twice.length) fileError(`columns named twice: ${cols.twice.join(', ')}`)
  if (errors.length) return out
  out.shape = shape
  out.ignoredColumns = cols.unknown.map((u) => u.name)
  const lastMonth = `${beijingToday().slice(0, 7)}-01`
  const seen = new Map<string, number>()
  const turn = turnsEvery()
  for (let i = 0; i < table.rows.length; i++) {
    if (turn()) await yieldNow()
    const row = i + 2
    const cell = (key: string) => (table.rows[i][cols.at[key]] ?? '').trim()
    const fail = (key: string, reason: string) => errors.push({ row, column: COLUMNS[key].names[0], reason })
    const keys = shape === 'person' ? ['idNumber', 'category', 'amount', 'month'] : ['village', 'month', 'category', 'amount', 'recipients']
    // PostgreSQL stores no NUL in text: a cell holding one is the file's fault, not a 500
    const nul = keys.filter((k) => cell(k).includes('\u0000'))
    if (nul.length) {
      for (const k of nul) fail(k, 'must not contain a NUL character')
      continue
    }
    const before = errors.length
    const month = parseMonth(cell('month'))
    if (!cell('month')) fail('month', 'is empty')
    else if (!month) fail('month', `is not a month such as 2026-10 or 2026年10月 (${cell('month').slice(0, 20)})`)
    else if (month < '2000-01-01' || month > lastMonth) fail('month', `must lie between 2000-01 and this month (${month.slice(0, 7)})`)
    const category = welfareCategory(cell('category'))
    if (!category) fail('category', `is not one of ${WELFARE_CATEGORIES.join('、')} (${cell('category').slice(0, 20) || 'empty'})`)
    const cents = parseCents(cell('amount'))
    if (cents === null) fail('amount', `is not an amount in yuan with at most 2 decimals (${cell('amount').slice(0, 20) || 'empty'})`)
    else if (cents > MAX_CENTS) fail('amount', 'is more than 100,000,000 yuan for one row')
    else if (shape === 'person' && cents === 0) fail('amount', 'must be more than 0 (a payment list names the people paid)')

    if (shape === 'village') {
      const village = cell('village')
      if (!village) fail('village', 'is empty')
      const people = cell('recipients')
      const recipients = /^\d{1,7}$/.test(people) ? Number(people) : null
      if (recipients === null || recipients > MAX_RECIPIENTS) fail('recipients', `is not a number of people from 0 to 1,000,000 (${people.slice(0, 20) || 'empty'})`)
      if (errors.length > before) continue
      const key = `${village}\u0000${month}\u0000${category}`
      const twin = seen.get(key)
      if (twin) fail('category', `repeats line ${twin} (the same 村, 月份 and 类别)`)
      else {
        seen.set(key, row)
        out.villageRows.push({ row, village, month: month!, category: category!, cents: cents!, recipients: recipients! })
      }
    } else {
      const idNumber = cell('idNumber').toUpperCase()
      const problem = idNumber ? idNumberProblem(idNumber) : null
      if (!idNumber) fail('idNumber', 'is empty')
      else if (problem) fail('idNumber', `${problem.text} (${maskIdNumber(idNumber)})`)
      if (errors.length > before) continue
      const key = `${idNumber}\u0000${month}\u0000${category}`
      const twin = seen.get(key)
      if (twin) fail('idNumber', `repeats line ${twin} (the same person, 类别 and 月份: put one payment a month in one row)`)
      else {
        seen.set(key, row)
        out.personRows.push({ row, idNumber, month: month!, category: category!, cents: cents! })
      }
    }
  }
  if (!table.rows.length) fileError('the file has a header and no rows')
  return out
}
