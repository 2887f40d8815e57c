import { createHash } from 'node:crypto'
import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { maskIdNumber } from '../privacy/mask.ts'
import { idNumberProblem } from '../../geo/id-number.ts'
import { ITEM_CARE_TAGS, ITEM_TYPES, parseItemValue } from '../population/items.ts'
import { recordChanges } from '../population/history.ts'
import type { Table } from './table-reader.ts'

/** One problem in the file: the spreadsheet row (header = row 1), the column, why. */
export interface DepartmentImportError {
  row: number
  column: '身份证号' | '数据项' | '值' | '(file)'
  reason: string
}

/** A change the file makes: its row, its ID number (masked), the item and the new value; nothing the register holds. */
export interface DepartmentImportChange {
  row: number
  idNumber: string
  item: string
  value: unknown
}

export interface DepartmentImportReport {
  departmentId: number
  rows: number
  /**
   * how far the file was checked: 'format' stopped at problems of the file itself (no ID number
   * was matched against the register); 'register' matched a well-formed file
   */
  checked: 'format' | 'register'
  changed: number
  unchanged: number
  /** the file's problems, or (checked 'register') the rows it cannot apply, all for one reason */
  errors: DepartmentImportError[]
  /** the first changes */
  changes: DepartmentImportChange[]
  dryRun: boolean
  /** the recorded import, when applied */
  importId?: number
}

export const HEADER = ['身份证号', '数据项', '值'] as const
/**
 * The one reason for a row whose person the import cannot update: unknown, died, moved away or
 * registered under another number all read the same, so a file of ID numbers is no oracle of
 * who lives, died or left (the department sees these rows and asks its own records).
 */
export const NOT_UPDATABLE = 'is not a resident this import can update'
const PREVIEW = 200
/** rows checked between yields, so 100,000 rows never hold the event loop */
const SLICE = 5_000
const yieldNow = () => new Promise<void>((r) => setImmediate(r))

/** A well-formed row: a possible ID number, the department's own item, a value of its type. */
interface Parsed {
  row: number
  idNumber: string
  key: string
  label: string
  value: unknown
}

interface Planned extends Parsed {
  residentId: number
  before: unknown
}

/**
 * A county department's data (身份证号, 数据项, 值: one row per person and item, the item by its
 * name in the catalogue). First the file alone: malformed ID numbers, unknown items or another
 * department's, values of the wrong type, contradicting rows; only a well-formed file of the
 * department's own items is matched against the register (`beforeMatch` runs first: the route
 * takes it from the caller's allowance). A dry run answers with the preview; otherwise every
 * change is applied in one transaction, or none. The same file again changes nothing.
 */
export async function importDepartmentData(
  db: Db, table: Table, departmentId: number, user: AuthUser, file: { name: string; bytes: Buffer }, dryRun: boolean,
  beforeMatch?: () => Promise<void>,
): Promise<DepartmentImportReport> {
  const report: DepartmentImportReport = { departmentId, rows: table.rows.length, checked: 'format', changed: 0, unchanged: 0, errors: [], changes: [], dryRun }
  const head = table.header.map((h) => h.trim())
  const at = HEADER.map((h) => head.indexOf(h))
  if (at.some((i) => i < 0)) {
    report.errors.push({ row: 1, column: '(file)', reason: `the header must be ${HEADER.join(',')} (found ${head.join(',') || 'nothing'})` })
    return report
  }
  const parsed = await checkFormat(db, table, at, departmentId, report)
  if (report.errors.length) return report

  await beforeMatch?.()
  report.checked = 'register'
  const residents = await findResidents(db, [...new Set(parsed.map((p) => p.idNumber))])
  const planned: Planned[] = []
  for (let i = 0; i < parsed.length; i++) {
    if (i % SLICE === 0 && i) await yieldNow()
    const p = parsed[i]
    const resident = residents.get(p.idNumber)
    if (!resident) report.errors.push({ row: p.row, column: '身份证号', reason: NOT_UPDATABLE })
    else planned.push({ ...p, residentId: resident.id, before: resident.items[p.key] ?? null })
  }
  const changes = planned.filter((p) => p.before !== p.value)
  report.changed = changes.length
  report.unchanged = planned.length - changes.length
  report.changes = changes.slice(0, PREVIEW).map((c) => ({ row: c.row, idNumber: maskIdNumber(c.idNumber), item: c.label, value: c.value }))
  if (report.errors.length || dryRun) return report
  report.importId = await apply(db, changes, departmentId, user, file, report)
  return report
}

/** The file alone, row by row (nothing about people is read): its well-formed rows, once each. */
async function checkFormat(db: Db, table: Table, at: number[], departmentId: number, report: DepartmentImportReport): Promise<Parsed[]> {
  const items = await db.query<{ key: string; label: string; department_id: number }>('SELECT key, label, department_id FROM data_items')
  const byLabel = new Map(items.rows.map((i) => [i.label, i]))
  const department = (await db.query<{ name: string }>('SELECT name FROM departments WHERE id = $1', [departmentId])).rows[0]?.name
  const parsed: Parsed[] = []
  const seen = new Map<string, { row: number; value: unknown }>()
  for (let i = 0; i < table.rows.length; i++) {
    if (i % SLICE === 0 && i) await yieldNow()
    const cells = table.rows[i]
    const row = i + 2
    const fail = (column: DepartmentImportError['column'], reason: string) => report.errors.push({ row, column, reason })
    // PostgreSQL stores no NUL in text: a cell holding one is the file's fault, not a 500
    const nul = HEADER.filter((_, j) => (cells[at[j]] ?? '').includes('\u0000'))
    if (nul.length) {
      for (const column of nul) fail(column, 'must not contain a NUL character')
      continue
    }
    const idNumber = (cells[at[0]] ?? '').trim().toUpperCase()
    const label = (cells[at[1]] ?? '').trim()
    const idProblem = idNumber ? idNumberProblem(idNumber) : null
    if (!idNumber) fail('身份证号', 'is empty')
    else if (idProblem) fail('身份证号', `${idProblem.text} (${maskIdNumber(idNumber)})`)
    const item = byLabel.get(label)
    const importable = item !== undefined && item.department_id === departmentId && item.key in ITEM_TYPES
    if (!item) fail('数据项', `is not in the data-items catalogue (${label || 'empty'})`)
    else if (item.department_id !== departmentId) fail('数据项', `${label} is not ${department}'s item`)
    else if (!importable) fail('数据项', `${label} is kept in the resident's record itself; change it there`)
    const value = importable ? parseItemValue(item.key, cells[at[2]] ?? '') : null
    if (value && 'problem' in value) fail('值', value.problem)
    if (!idNumber || idProblem || !importable || !value || 'problem' in value) continue
    const key = `${idNumber}\u0000${item.key}`
    const twin = seen.get(key)
    if (twin && twin.value !== value.value) {
      fail('值', `contradicts row ${twin.row} for the same person and item`)
      continue
    }
    if (twin) continue
    seen.set(key, { row, value: value.value })
    parsed.push({ row, idNumber, key: item.key, label, value: value.value })
  }
  return parsed
}

/** The registered residents (not died, not moved away) holding these ID numbers. */
async function findResidents(db: Queryable, idNumbers: string[]): Promise<Map<string, { id: number; items: Record<string, unknown> }>> {
  const r = await db.query<{ id: number; id_number: string; items: Record<string, unknown> }>(
    'SELECT id, id_number, items FROM residents WHERE id_number = ANY($1::text[]) AND deregistered IS NULL', [idNumbers])
  return new Map(r.rows.map((x) => [x.id_number, x]))
}

async function apply(
  db: Db, changes: Planned[], departmentId: number, user: AuthUser, file: { name: string; bytes: Buffer }, report: DepartmentImportReport,
): Promise<number> {
  return db.transaction(async (tx) => {
    const rec = await tx.query<{ id: number }>(
      `INSERT INTO department_imports (actor, department_id, file_name, sha256, rows, changed, unchanged) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [user.username, departmentId, file.name, createHash('sha256').update(file.bytes).digest('hex'), report.rows, report.changed, report.unchanged])
    const importId = rec.rows[0].id
    if (!changes.length) return importId
    // one statement for all residents: each gets its changed items merged into its record
    const patches = new Map<number, Record<string, unknown>>()
    for (const c of changes) patches.set(c.residentId, { ...patches.get(c.residentId), [c.key]: c.value })
    await tx.query(
      `UPDATE residents r SET items = r.items || p.patch
         FROM jsonb_to_recordset($1::jsonb) AS p(id int, patch jsonb) WHERE r.id = p.id`,
      [JSON.stringify([...patches].map(([id, patch]) => ({ id, patch })))])
    // care groups that follow from the items (低保对象 from 民政局's 低保 list, …)
    for (const [key, rule] of Object.entries(ITEM_CARE_TAGS)) {
      const touched = changes.filter((c) => c.key === key)
      const add = touched.filter((c) => rule.applies(c.value)).map((c) => c.residentId)
      const remove = touched.filter((c) => !rule.applies(c.value)).map((c) => c.residentId)
      if (add.length) await tx.query(`INSERT INTO resident_tags (resident_id, kind, tag) SELECT unnest($1::int[]), 'care', $2 ON CONFLICT DO NOTHING`, [add, rule.tag])
      if (remove.length) await tx.query(`DELETE FROM resident_tags WHERE resident_id = ANY($1::int[]) AND kind = 'care' AND tag = $2`, [remove, rule.tag])
    }
    for (let i = 0; i < changes.length; i += 10_000) {
      await recordChanges(tx, user, changes.slice(i, i + 10_000).map((c) => ({
        residentId: c.residentId, kind: 'import' as const, field: `items.${c.key}`, before: c.before, after: c.value, importId, note: file.name,
      })))
    }
    return importId
  })
}
