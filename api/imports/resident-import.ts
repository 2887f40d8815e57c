import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HOUSEHOLD_COLUMNS, scopeCondition } from '../access/scope.ts'
import { HttpError } from '../http/errors.ts'
import { maskIdNumber, maskName } from '../privacy/mask.ts'
import { ITEM_CARE_TAGS } from '../population/items.ts'
import { recordChanges } from '../population/history.ts'
import { beijingToday } from '../population/dates.ts'
import type { Table } from './table-reader.ts'
import type { ImportError } from './household-import.ts'
import { SLICE, yieldNow } from './columns.ts'
import { withRollupsOnce, writeSlice } from './bulk.ts'
import { readResidentRows, residentColumns, type ResidentRow } from './resident-rows.ts'

export interface ResidentPreview {
  row: number
  /** masked: the preview is a list of people */
  idNumber: string
  name: string
  gender: string
  relation: string
  code: string
  /** data items the row sets */
  items: number
}

export interface ResidentImportReport {
  rows: number
  /**
   * how far the file was checked: 'format' stopped at problems of the file itself (no ID number
   * was looked up in the register); 'register' matched a well-formed file's ID numbers
   */
  checked: 'format' | 'register'
  created: number
  /** households the people join */
  households: number
  errors: ImportError[]
  preview: ResidentPreview[]
  /** data items read, by their labels */
  items: string[]
  /** headings that name no field: not read */
  ignoredColumns: string[]
  dryRun: boolean
}

const PREVIEW = 200

/**
 * Residents from a 户籍 spreadsheet (身份证号, 姓名, 性别, 出生日期, 与户主关系, 户号[, 联系电话][, 党员]
 * [, any data item by its label]). First the file alone (resident-rows.ts), and each 户号 must be a
 * household of the caller's scope (imported before); only then are its ID numbers looked up in
 * the register, once per file (`beforeMatch`: the route takes it from the caller's daily
 * allowance, like a department's import). A number already registered is refused, naming the
 * household only when it is in the caller's scope. All rows or none, in bulk statements; each
 * person is a registration in the history naming the file.
 */
export async function importResidents(
  db: Db, table: Table, user: AuthUser, opts: { dryRun: boolean; fileName: string }, beforeMatch?: () => Promise<void>,
): Promise<ResidentImportReport> {
  const catalogue = (await db.query<{ key: string; label: string }>('SELECT key, label FROM data_items ORDER BY position')).rows
  const cols = residentColumns(table.header, catalogue)
  const report: ResidentImportReport = {
    rows: table.rows.length, checked: 'format', created: 0, households: 0, errors: [], preview: [], dryRun: opts.dryRun,
    items: cols.items.map((i) => i.label), ignoredColumns: cols.unknown.map((u) => u.name),
  }
  const fileError = (reason: string) => report.errors.push({ row: 1, column: '(file)', reason })
  if (!table.header.length) fileError('the file is empty')
  else if (cols.missing.length) fileError(`column ${cols.missing.join(', ')} is missing (the header must hold 身份证号,姓名,性别,出生日期,与户主关系,户号)`)
  if (cols.twice.length) fileError(`columns named twice: ${cols.twice.join(', ')}`)
  if (report.errors.length) return report

  const rows = await readResidentRows(table, cols, report.errors)
  const households = await householdsOf(db, user, [...new Set(rows.map((r) => r.code))])
  for (const r of rows) {
    if (!households.has(r.code)) report.errors.push({ row: r.row, column: '户号', reason: `is not a household of your scope (import the households first): ${r.code.slice(0, 40)}` })
  }
  if (report.errors.length) return sorted(report)

  await beforeMatch?.()
  report.checked = 'register'
  await refuseRegistered(db, user, rows, report)
  await refusePendingTwins(db, rows, households, report)
  if (report.errors.length) return sorted(report)
  report.created = rows.length
  report.households = new Set(rows.map((r) => r.code)).size
  report.preview = rows.slice(0, PREVIEW).map((r) => ({
    row: r.row, idNumber: maskIdNumber(r.idNumber), name: maskName(r.name), gender: r.gender, relation: r.relation, code: r.code, items: Object.keys(r.items).length,
  }))
  if (!opts.dryRun) await apply(db, rows, households, user, opts.fileName)
  return report
}

function sorted(report: ResidentImportReport): ResidentImportReport {
  report.errors.sort((a, b) => a.row - b.row)
  return report
}

/** The households of the caller's scope these 户号 name (an unknown 户号 and one outside read alike). */
async function householdsOf(db: Queryable, user: AuthUser, codes: string[]): Promise<Map<string, { id: number; gridId: number | null }>> {
  const out = new Map<string, { id: number; gridId: number | null }>()
  for (let i = 0; i < codes.length; i += SLICE) {
    if (i) await yieldNow()
    const params: unknown[] = [codes.slice(i, i + SLICE)]
    const r = await db.query<{ id: number; code: string; grid_id: number | null }>(
      `SELECT h.id, h.code, h.grid_id FROM households h WHERE h.code = ANY($1::text[]) AND ${scopeCondition(user, HOUSEHOLD_COLUMNS, params)}`, params)
    for (const h of r.rows) out.set(h.code, { id: h.id, gridId: h.grid_id })
  }
  return out
}

/**
 * ID numbers already registered (living, died or moved away: a number is one person's for good).
 * Held in the caller's scope, the row names the household; anywhere else only that it is taken.
 */
async function refuseRegistered(db: Queryable, user: AuthUser, rows: ResidentRow[], report: ResidentImportReport): Promise<void> {
  const byNumber = new Map(rows.map((r) => [r.idNumber, r]))
  const numbers = [...byNumber.keys()]
  for (let i = 0; i < numbers.length; i += SLICE) {
    if (i) await yieldNow()
    const params: unknown[] = [numbers.slice(i, i + SLICE)]
    const r = await db.query<{ id_number: string; household_id: number; code: string | null; in_scope: boolean }>(
      `SELECT r.id_number, r.household_id, h.code, coalesce(${scopeCondition(user, HOUSEHOLD_COLUMNS, params)}, false) AS in_scope
         FROM residents r JOIN households h ON h.id = r.household_id WHERE r.id_number = ANY($1::text[])`, params)
    for (const x of r.rows) {
      const row = byNumber.get(x.id_number)!
      const where = x.in_scope ? ` in household ${x.household_id}${x.code ? ` (户号 ${x.code})` : ''}` : ''
      report.errors.push({ row: row.row, column: '身份证号', reason: `is already registered${where} (${maskIdNumber(x.id_number)})` })
    }
  }
}

/**
 * A newborn recorded before her 户口 (no ID number yet, migration 048) is matched by nobody's
 * number: the 户籍 list that later brings her would register her twice. A row naming a pending
 * newborn of its household (same name, sex and birth date) is refused: her number is added to
 * her record (PATCH, the phone's 待补身份证号), the list imported without her.
 */
async function refusePendingTwins(db: Queryable, rows: ResidentRow[], households: Map<string, { id: number }>, report: ResidentImportReport): Promise<void> {
  const byKey = new Map(rows.map((r) => [`${households.get(r.code)!.id}|${r.name}|${r.gender}|${r.birthDate}`, r]))
  const ids = [...new Set([...households.values()].map((h) => h.id))]
  for (let i = 0; i < ids.length; i += SLICE) {
    if (i) await yieldNow()
    const r = await db.query<{ id: number; household_id: number; name: string; gender: string; birth_date: string }>(
      `SELECT id, household_id, name, gender, to_char(birth_date, 'YYYY-MM-DD') AS birth_date FROM residents
        WHERE household_id = ANY($1::int[]) AND id_number IS NULL AND deregistered IS NULL`, [ids.slice(i, i + SLICE)])
    for (const x of r.rows) {
      const row = byKey.get(`${x.household_id}|${x.name}|${x.gender}|${x.birth_date}`)
      if (row) {
        report.errors.push({
          row: row.row, column: '身份证号',
          reason: `is the number of resident ${x.id} of household ${x.household_id}, registered at birth and waiting for it (待登记户口): add it to her record instead of importing her again`,
        })
      }
    }
  }
}

/** One transaction, bulk statements of a slice each; the roll-ups counted once for the grids the people joined. */
async function apply(db: Db, rows: ResidentRow[], households: Map<string, { id: number; gridId: number | null }>, user: AuthUser, fileName: string): Promise<void> {
  const slice = writeSlice(db)
  const today = beijingToday()
  const note = `户籍导入：${fileName}`
  await db.transaction((tx) => withRollupsOnce(tx, async () => {
    for (let i = 0; i < rows.length; i += slice) {
      if (i) await yieldNow()
      const part = rows.slice(i, i + slice)
      const made = await tx.query<{ id: number; id_number: string }>(
        `INSERT INTO residents (household_id, name, gender, birth_date, id_number, phone, relation, party_member, items)
         SELECT x.household_id, x.name, x.gender, x.birth_date, x.id_number, x.phone, x.relation, x.party_member, x.items
           FROM jsonb_to_recordset($1::jsonb)
             AS x(household_id int, name text, gender text, birth_date date, id_number text, phone text, relation text, party_member boolean, items jsonb)
         RETURNING id, id_number`,
        [JSON.stringify(part.map((r) => ({
          household_id: households.get(r.code)!.id, name: r.name, gender: r.gender, birth_date: r.birthDate, id_number: r.idNumber,
          phone: r.phone, relation: r.relation, party_member: r.partyMember, items: r.items,
        })))])
      const ids = new Map(made.rows.map((m) => [m.id_number, m.id]))
      // care groups that follow from the items (低保 → 低保对象, …), as a form's registration does
      for (const [key, rule] of Object.entries(ITEM_CARE_TAGS)) {
        const tagged = part.filter((r) => key in r.items && rule.applies(r.items[key])).map((r) => ids.get(r.idNumber)!)
        if (tagged.length) await tx.query(`INSERT INTO resident_tags (resident_id, kind, tag) SELECT unnest($1::int[]), 'care', $2 ON CONFLICT DO NOTHING`, [tagged, rule.tag])
      }
      await recordChanges(tx, user, part.map((r) => ({
        residentId: ids.get(r.idNumber)!, householdId: households.get(r.code)!.id, kind: 'registration' as const, eventDate: today, note,
        after: { name: r.name, idNumber: r.idNumber, gender: r.gender, birthDate: r.birthDate, relation: r.relation, phone: r.phone, partyMember: r.partyMember, items: r.items },
      })))
    }
    return { result: undefined, grids: rows.map((r) => households.get(r.code)!.gridId) }
  })).catch((err: { code?: string }) => {
    // registered meanwhile by another write: the file is checked again, not half applied
    if (err.code === '23505') throw new HttpError(409, 'an ID number of this file was registered meanwhile; check the file again', 'conflict')
    throw err
  })
}
