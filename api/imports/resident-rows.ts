import { idNumberProblem } from '../../geo/id-number.ts'
import { maskIdNumber } from '../privacy/mask.ts'
import { ITEM_TYPES, parseItemValue } from '../population/items.ts'
import { beijingToday } from '../population/dates.ts'
import type { Table } from './table-reader.ts'
import { locateColumns, turnsEvery, yieldNow, type ColumnSpec, type Located } from './columns.ts'
import type { ImportError } from './household-import.ts'

/** 户籍 lists as they come: the headings each field answers to (data items by their catalogue label). */
export const RESIDENT_COLUMNS: readonly ColumnSpec[] = [
  { key: 'idNumber', names: ['身份证号', '公民身份号码', '身份证号码', '证件号码'], required: true },
  { key: 'name', names: ['姓名'], required: true },
  { key: 'gender', names: ['性别'], required: true },
  { key: 'birthDate', names: ['出生日期'], required: true },
  { key: 'relation', names: ['与户主关系', '关系'], required: true },
  { key: 'code', names: ['户号'], required: true },
  { key: 'phone', names: ['联系电话', '电话', '手机', '手机号', '手机号码'] },
  { key: 'partyMember', names: ['党员', '是否党员'] },
]

/** A row that is right on its own; whether its household is in scope and its number is free come later. */
export interface ResidentRow {
  row: number
  idNumber: string
  name: string
  gender: '男' | '女'
  birthDate: string
  relation: string
  code: string
  phone: string | null
  partyMember: boolean
  items: Record<string, unknown>
}

/** The columns of a file: the fixed ones, and the data items named by their label in the catalogue. */
export function residentColumns(header: string[], catalogue: { key: string; label: string }[]): Located & { items: { key: string; label: string }[] } {
  const taken = new Set(RESIDENT_COLUMNS.flatMap((c) => c.names))
  const items = catalogue.filter((i) => i.key in ITEM_TYPES && !taken.has(i.label))
  const located = locateColumns(header, [...RESIDENT_COLUMNS, ...items.map((i) => ({ key: `item:${i.key}`, names: [i.label] }))])
  return { ...located, items: items.filter((i) => `item:${i.key}` in located.at) }
}

const PHONE = /^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$/
const GENDER: Record<string, '男' | '女'> = { 男: '男', 女: '女', 男性: '男', 女性: '女' }
const YES = new Set(['是', '党员', '中共党员', 'true', '1', 'y', 'yes'])
const NO = new Set(['否', '', '群众', '非党员', 'false', '0', 'n', 'no'])

/** 1990-05-06, 1990/5/6, 1990.5.6, 19900506, 1990年5月6日, or an Excel date cell (1990-05-06 00:00:00): a real calendar date. */
export function parseDate(s: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$/.exec(s) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s)
  if (!m) return null
  const date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`
  const d = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date ? date : null
}

/**
 * Each row alone, as a 户籍 list must be right before any of it is matched: the ID number
 * (GB 11643 form, check digit, a real place of registration and birth date) against the birth
 * date and sex given beside it, the name, relation, 户号, phone, party membership and each data
 * item by its type; an ID number twice in the file. Nothing is read from the register here.
 * A yield every 20 ms, so a county's file never holds the event loop.
 */
export async function readResidentRows(table: Table, cols: ReturnType<typeof residentColumns>, errors: ImportError[]): Promise<ResidentRow[]> {
  const out: ResidentRow[] = []
  const seen = new Map<string, number>()
  const today = beijingToday()
  const name = (key: string) => RESIDENT_COLUMNS.find((c) => c.key === key)!.names[0]
  const due = turnsEvery()
  for (let i = 0; i < table.rows.length; i++) {
    if (due()) await yieldNow()
    const cells = table.rows[i]
    const row = i + 2
    const cell = (k: string) => (cols.at[k] === undefined ? '' : (cells[cols.at[k]] ?? '').trim())
    const before = errors.length
    const fail = (key: string, reason: string) => errors.push({ row, column: name(key), reason })
    const idNumber = cell('idNumber').toUpperCase()
    const gender = GENDER[cell('gender')]
    if (!gender) fail('gender', `must be 男 or 女 (${cell('gender').slice(0, 10) || 'empty'})`)
    const birthDate = parseDate(cell('birthDate'))
    if (!birthDate) fail('birthDate', `is not a date like 1990-05-06 (${cell('birthDate').slice(0, 20) || 'empty'})`)
    else if (birthDate > today) fail('birthDate', 'is in the future')
    if (!idNumber) fail('idNumber', 'is empty')
    else {
      // the birth date and sex are compared only when they could be read: the file's own values, named back to its owner
      const problem = idNumberProblem(idNumber, birthDate ?? undefined, gender)
      const masked = maskIdNumber(idNumber)
      if (problem?.kind === 'birthDateMismatch') fail('birthDate', `is not the birth date the ID number ${masked} holds (${problem.born})`)
      else if (problem?.kind === 'genderMismatch') fail('gender', `is not the sex the ID number ${masked} holds (${problem.says}, its 17th digit)`)
      else if (problem) fail('idNumber', `${problem.text} (${masked})`)
      else if (seen.has(idNumber)) fail('idNumber', `appears twice in the file (line ${seen.get(idNumber)}; ${masked})`)
      else seen.set(idNumber, row)
    }
    const person = cell('name')
    if (!person || [...person].length > 30) fail('name', person ? 'must be at most 30 characters' : 'is empty')
    const relation = cell('relation')
    if (!relation || [...relation].length > 10) fail('relation', relation ? 'must be at most 10 characters' : 'is empty')
    const code = cell('code')
    if (!code) fail('code', 'is empty')
    const phone = cell('phone')
    if (phone && !PHONE.test(phone)) fail('phone', 'is not a mobile or landline number')
    const party = cell('partyMember').toLowerCase()
    if (!YES.has(party) && !NO.has(party)) fail('partyMember', `must be 是 or 否 (${party.slice(0, 10)})`)
    const items: Record<string, unknown> = {}
    for (const item of cols.items) {
      const v = parseItemValue(item.key, cell(`item:${item.key}`))
      if ('problem' in v) errors.push({ row, column: item.label, reason: v.problem })
      else if (v.value !== null) items[item.key] = v.value
    }
    if (errors.length === before) {
      out.push({ row, idNumber, name: person, gender: gender!, birthDate: birthDate!, relation, code, phone: phone || null, partyMember: YES.has(party), items })
    }
  }
  return out
}
