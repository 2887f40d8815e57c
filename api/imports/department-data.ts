import { createHash } from 'node:crypto'
import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { maskIdNumber, maskName } from '../privacy/mask.ts'
import { ITEM_CARE_TAGS, ITEM_TYPES, parseItemValue } from '../population/items.ts'
import { recordChanges } from '../population/history.ts'
import type { Table } from './table-reader.ts'

/** One problem in the file: the spreadsheet row (header = row 1), the column, why. */
export interface DepartmentImportError {
  row: number
  column: '身份证号' | '数据项' | '值' | '(file)'
  reason: string
}

export interface DepartmentImportChange {
  row: number
  idNumber: string
  name: string
  item: string
  before: unknown
  after: unknown
}

export interface DepartmentImportReport {
  departmentId: number
  rows: number
  changed: number
  unchanged: number
  errors: DepartmentImportError[]
  /** the first changes, before → after (ID numbers and names masked) */
  changes: DepartmentImportChange[]
  dryRun: boolean
  /** the recorded import, when applied */
  importId?: number
}

export const HEADER = ['身份证号', '数据项', '值'] as const
const PREVIEW = 200
/** rows checked between yields, so 100,000 rows never hold the event loop */
const SLICE = 5_000
const yieldNow = () => new Promise<void>((r) => setImmediate(r))

interface Planned {
  row: number
  residentId: number
  idNumber: string
  name: string
  key: string
  label: string
  before: unknown
  after: unknown
}

/**
 * A county department's data (身份证号, 数据项, 值: one row per person and item, the item by its
 * name in the catalogue) checked against the population and the department's own items. A dry
 * run answers with the preview; otherwise every change is applied in one transaction, or none
 * (the report then lists every bad row by row and column). The same file again changes nothing.
 */
export async function importDepartmentData(
  db: Db, table: Table, departmentId: number, user: AuthUser, file: { name: string; bytes: Buffer }, dryRun: boolean,
): Promise<DepartmentImportReport> {
  const report: DepartmentImportReport = { departmentId, rows: table.rows.length, changed: 0, unchanged: 0, errors: [], changes: [], dryRun }
  const head = table.header.map((h) => h.trim())
  const at = HEADER.map((h) => head.indexOf(h))
  if (at.some((i) => i < 0)) {
    report.errors.push({ row: 1, column: '(file)', reason: `the header must be ${HEADER.join(',')} (found ${head.join(',') || 'nothing'})` })
    return report
  }
  const items = await db.query<{ key: string; label: string; department_id: number }>('SELECT key, label, department_id FROM data_items')
  const byLabel = new Map(items.rows.map((i) => [i.label, i]))
  const department = (await db.query<{ name: string }>('SELECT name FROM departments WHERE id = $1', [departmentId])).rows[0]?.name
  const residents = await findResidents(db, [...new Set(table.rows.map((r) => (r[at[0]] ?? '').trim().toUpperCase()))])

  const planned: Planned[] = []
  const seen = new Map<string, { row: number; value: unknown }>()
  for (let i = 0; i < table.rows.length; i++) {
    if (i % SLICE === 0 && i) await yieldNow()
    const cells = table.rows[i]
    const row = i + 2
    const fail = (column: DepartmentImportError['column'], reason: string) => report.errors.push({ row, column, reason })
    const idNumber = (cells[at[0]] ?? '').trim().toUpperCase()
    const label = (cells[at[1]] ?? '').trim()
    const resident = residents.get(idNumber)
    if (!idNumber) fail('身份证号', 'is empty')
    else if (!resident) fail('身份证号', `is not a registered resident (${maskIdNumber(idNumber)})`)
    else if (resident.deregistered) fail('身份证号', `belongs to a deregistered resident (${resident.deregistered === 'death' ? '已故' : '已迁出'})`)
    const item = byLabel.get(label)
    const importable = item !== undefined && item.department_id === departmentId && item.key in ITEM_TYPES
    if (!item) fail('数据项', `is not in the data-items catalogue (${label || 'empty'})`)
    else if (item.department_id !== departmentId) fail('数据项', `${label} is not ${department}'s item`)
    else if (!importable) fail('数据项', `${label} is kept in the resident's record itself; change it there`)
    const parsed = importable ? parseItemValue(item.key, cells[at[2]] ?? '') : null
    if (parsed && 'problem' in parsed) fail('值', parsed.problem)
    if (!resident || resident.deregistered || !item || !parsed || 'problem' in parsed) continue
    const key = `${idNumber}\u0000${item.key}`
    const twin = seen.get(key)
    if (twin && twin.value !== parsed.value) {
      fail('值', `contradicts row ${twin.row} for the same person and item`)
      continue
    }
    if (twin) continue
    seen.set(key, { row, value: parsed.value })
    planned.push({ row, residentId: resident.id, idNumber, name: resident.name, key: item.key, label, before: resident.items[item.key] ?? null, after: parsed.value })
  }
  const changes = planned.filter((p) => p.before !== p.after)
  report.changed = changes.length
  report.unchanged = planned.length - changes.length
  report.changes = changes.slice(0, PREVIEW).map((c) => ({ row: c.row, idNumber: maskIdNumber(c.idNumber), name: maskName(c.name), item: c.label, before: c.before, after: c.after }))
  if (report.errors.length || dryRun) return report
  report.importId = await apply(db, changes, departmentId, user, file, report)
  return report
}

interface ResidentFound {
  id: number
  name: string
  items: Record<string, unknown>
  deregistered: 'death' | 'moveOut' | null
}

async function findResidents(db: Queryable, idNumbers: string[]): Promise<Map<string, ResidentFound>> {
  const r = await db.query<ResidentFound & { id_number: string }>(
    'SELECT id, id_number, name, items, deregistered FROM residents WHERE id_number = ANY($1::text[])', [idNumbers])
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
    for (const c of changes) patches.set(c.residentId, { ...patches.get(c.residentId), [c.key]: c.after })
    await tx.query(
      `UPDATE residents r SET items = r.items || p.patch
         FROM jsonb_to_recordset($1::jsonb) AS p(id int, patch jsonb) WHERE r.id = p.id`,
      [JSON.stringify([...patches].map(([id, patch]) => ({ id, patch })))])
    // care groups that follow from the items (低保对象 from 民政局's 低保 list, …)
    for (const [key, rule] of Object.entries(ITEM_CARE_TAGS)) {
      const touched = changes.filter((c) => c.key === key)
      const add = touched.filter((c) => rule.applies(c.after)).map((c) => c.residentId)
      const remove = touched.filter((c) => !rule.applies(c.after)).map((c) => c.residentId)
      if (add.length) await tx.query(`INSERT INTO resident_tags (resident_id, kind, tag) SELECT unnest($1::int[]), 'care', $2 ON CONFLICT DO NOTHING`, [add, rule.tag])
      if (remove.length) await tx.query(`DELETE FROM resident_tags WHERE resident_id = ANY($1::int[]) AND kind = 'care' AND tag = $2`, [remove, rule.tag])
    }
    for (let i = 0; i < changes.length; i += 10_000) {
      await recordChanges(tx, user, changes.slice(i, i + 10_000).map((c) => ({
        residentId: c.residentId, kind: 'import' as const, field: `items.${c.key}`, before: c.before, after: c.after, importId, note: file.name,
      })))
    }
    return importId
  })
}
