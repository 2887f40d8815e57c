import { createHash } from 'node:crypto'
import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { scopeCondition } from '../access/scope.ts'
import { SLICE, yieldNow } from '../imports/columns.ts'
import type { Table } from '../imports/table-reader.ts'
import { fundsScope } from './access.ts'
import { readWelfareRows, type PersonRow, type RowError, type Shape, type VillageRow } from './import-rows.ts'

/** A figure the file sets: the village's sum for a month and category, and what it does to the one held. */
export interface WelfareEntry {
  villageId: number
  villageName: string
  month: string
  category: string
  amountYuan: number
  recipients: number
  action: 'create' | 'replace' | 'unchanged'
  before: { amountYuan: number; recipients: number } | null
  /** the village's month is published now: this change withdraws it until a leader publishes it again */
  withdraws: boolean
}

export interface WelfareImportReport {
  shape: Shape | null
  rows: number
  /** a payment list's ID numbers were matched against the register (it passed its own checks) */
  matched: boolean
  created: number
  replaced: number
  unchanged: number
  /** published village-months the file changes (each goes back to 待公开) */
  withdrawn: number
  totalYuan: number
  errors: RowError[]
  /** the first entries, by village, month and category */
  entries: WelfareEntry[]
  ignoredColumns: string[]
  dryRun: boolean
  importId?: number
}

/**
 * The one reason for a payment-list row whose person cannot be counted: unknown, registered
 * elsewhere, died or moved away before that month all read the same, so a file of ID numbers is
 * no oracle of who lives where (民政 sees these rows and asks its own records).
 */
export const NOT_COUNTED = 'is not a resident registered here in that month'
const PREVIEW = 500
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

interface Sum {
  villageId: number
  month: string
  category: string
  cents: number
  recipients: number
}

/**
 * 民政's figures: per village (村,月份,类别,金额,人数) or per person (身份证号,类别,金额,月份, summed
 * per village of the person's household). First the file alone; a payment list is then matched
 * against the register (`beforeMatch` runs first: the route takes it from the caller's daily
 * allowance). Each (village, month, category) in the file replaces the figure held for it; the
 * other figures stay. A dry run answers with the entries; otherwise all in one transaction or none.
 */
export async function importWelfareFunds(
  db: Db, table: Table, user: AuthUser, opts: { dryRun: boolean; file: { name: string; bytes: Buffer } }, beforeMatch?: () => Promise<void>,
): Promise<WelfareImportReport> {
  const report: WelfareImportReport = {
    shape: null, rows: table.rows.length, matched: false, created: 0, replaced: 0, unchanged: 0, withdrawn: 0, totalYuan: 0,
    errors: [], entries: [], ignoredColumns: [], dryRun: opts.dryRun,
  }
  const read = await readWelfareRows(table, report.errors)
  report.shape = read.shape
  report.ignoredColumns = read.ignoredColumns
  const villages = await villagesInScope(db, user)
  let sums: Sum[] = []
  if (read.shape === 'village') sums = sumVillageRows(read.villageRows, villages, report.errors)
  if (report.errors.length || !read.shape) return sorted(report)
  if (read.shape === 'person') {
    await beforeMatch?.()
    report.matched = true
    sums = await sumPersonRows(db, user, read.personRows, report.errors)
    if (report.errors.length) return sorted(report)
  }

  const entries = await plan(db, sums, villages)
  const changed = entries.filter((e) => e.action !== 'unchanged')
  report.created = entries.filter((e) => e.action === 'create').length
  report.replaced = entries.filter((e) => e.action === 'replace').length
  report.unchanged = entries.length - changed.length
  report.withdrawn = new Set(changed.filter((e) => e.withdraws).map((e) => `${e.villageId} ${e.month}`)).size
  report.totalYuan = sums.reduce((s, x) => s + x.cents, 0) / 100
  report.entries = entries.slice(0, PREVIEW)
  if (!opts.dryRun) report.importId = await apply(db, changed, user, opts.file, report)
  return report
}

function sorted(report: WelfareImportReport): WelfareImportReport {
  report.errors.sort((a, b) => a.row - b.row)
  return report
}

interface Villages {
  name: Map<number, string>
  byCode: Map<string, number>
  byName: Map<string, number[]>
}

async function villagesInScope(db: Queryable, user: AuthUser): Promise<Villages> {
  const params: unknown[] = []
  const r = await db.query<{ id: number; code: string; name: string }>(`SELECT v.id, v.code, v.name FROM villages v WHERE ${scopeCondition(user, fundsScope(), params)}`, params)
  const byName = new Map<string, number[]>()
  for (const v of r.rows) byName.set(v.name, [...(byName.get(v.name) ?? []), v.id])
  return { name: new Map(r.rows.map((v) => [v.id, v.name])), byCode: new Map(r.rows.map((v) => [v.code, v.id])), byName }
}

/** A per-village file: each 村 a village of the scope (by its name, or its code when the name is not one village's). */
function sumVillageRows(rows: VillageRow[], villages: Villages, errors: RowError[]): Sum[] {
  const sums = new Map<string, Sum>()
  for (const r of rows) {
    const named = villages.byName.get(r.village) ?? []
    const id = named.length === 1 ? named[0] : villages.byCode.get(r.village)
    if (id === undefined) {
      errors.push({
        row: r.row, column: '村',
        reason: named.length > 1 ? `names ${named.length} villages of your scope: give the village's code (${r.village.slice(0, 20)})` : `is not a village of your scope (${r.village.slice(0, 20)})`,
      })
      continue
    }
    const key = `${id} ${r.month} ${r.category}`
    // a name and a code for one village on two lines: the same figure twice
    const twin = sums.get(key)
    if (twin) errors.push({ row: r.row, column: '类别', reason: `repeats another line for the same village, 月份 and 类别 (${r.village.slice(0, 20)})` })
    else sums.set(key, { villageId: id, month: r.month, category: r.category, cents: r.cents, recipients: r.recipients })
  }
  return [...sums.values()]
}

/**
 * A payment list: each ID number a resident of the caller's scope who was registered in the
 * payment's month (not died or moved away before it), counted in her household's village.
 * The rows it cannot count share one reason; the answer never says who was found where.
 */
async function sumPersonRows(db: Queryable, user: AuthUser, rows: PersonRow[], errors: RowError[]): Promise<Sum[]> {
  const numbers = [...new Set(rows.map((r) => r.idNumber))]
  const found = new Map<string, { villageId: number; leftOn: string | null }>()
  for (let i = 0; i < numbers.length; i += SLICE) {
    if (i) await yieldNow()
    const params: unknown[] = [numbers.slice(i, i + SLICE)]
    const r = await db.query<{ id_number: string; village_id: number; left_on: string | null }>(
      `SELECT r.id_number, h.village_id, CASE WHEN r.deregistered IS NULL THEN NULL ELSE coalesce(r.deregistered_on, '1900-01-01'::date) END AS left_on
         FROM residents r JOIN households h ON h.id = r.household_id JOIN villages v ON v.id = h.village_id
        WHERE r.id_number = ANY($1::text[]) AND ${scopeCondition(user, fundsScope(), params)}`, params)
    for (const x of r.rows) found.set(x.id_number, { villageId: x.village_id, leftOn: x.left_on })
  }
  const sums = new Map<string, Sum>()
  for (const r of rows) {
    const person = found.get(r.idNumber)
    if (!person || (person.leftOn !== null && person.leftOn < r.month)) {
      errors.push({ row: r.row, column: '身份证号', reason: NOT_COUNTED })
      continue
    }
    const key = `${person.villageId} ${r.month} ${r.category}`
    const sum = sums.get(key) ?? { villageId: person.villageId, month: r.month, category: r.category, cents: 0, recipients: 0 }
    sum.cents += r.cents
    sum.recipients += 1
    sums.set(key, sum)
  }
  return [...sums.values()]
}

/** Each sum against the figure held for its key, and whether its village's month is published. */
async function plan(db: Queryable, sums: Sum[], villages: Villages): Promise<WelfareEntry[]> {
  const held = await db.query<{ village_id: number; month: string; category: string; amount: number; recipients: number; published: boolean }>(
    `SELECT x.village_id, x.month::text AS month, x.category, f.amount_yuan AS amount, f.recipients,
            EXISTS (SELECT 1 FROM welfare_fund_publications p WHERE p.village_id = x.village_id AND p.month = x.month) AS published
       FROM jsonb_to_recordset($1::jsonb) AS x(village_id int, month date, category text)
       LEFT JOIN welfare_funds f ON f.village_id = x.village_id AND f.month = x.month AND f.category = x.category`,
    [JSON.stringify(sums.map((s) => ({ village_id: s.villageId, month: s.month, category: s.category })))])
  const byKey = new Map(held.rows.map((h) => [`${h.village_id} ${h.month} ${h.category}`, h]))
  return sums
    .map((s): WelfareEntry => {
      const h = byKey.get(`${s.villageId} ${s.month} ${s.category}`)
      const before = h && h.amount !== null ? { amountYuan: h.amount, recipients: h.recipients } : null
      const same = before !== null && Math.round(before.amountYuan * 100) === s.cents && before.recipients === s.recipients
      return {
        villageId: s.villageId, villageName: villages.name.get(s.villageId) ?? String(s.villageId), month: s.month.slice(0, 7), category: s.category,
        amountYuan: s.cents / 100, recipients: s.recipients, action: before === null ? 'create' : same ? 'unchanged' : 'replace', before, withdraws: !!h?.published,
      }
    })
    // code-point order: the same on every machine, whatever its locale
    .sort((a, b) => a.villageId - b.villageId || cmp(a.month, b.month) || cmp(a.category, b.category))
}

/** One transaction: the changed figures written, their published months withdrawn, the import recorded. */
async function apply(db: Db, changed: WelfareEntry[], user: AuthUser, file: { name: string; bytes: Buffer }, report: WelfareImportReport): Promise<number> {
  return db.transaction(async (tx) => {
    if (changed.length) {
      const rows = JSON.stringify(changed.map((e) => ({ village_id: e.villageId, month: `${e.month}-01`, category: e.category, amount: e.amountYuan, recipients: e.recipients })))
      await tx.query(
        `INSERT INTO welfare_funds (village_id, month, category, amount_yuan, recipients, updated_at, updated_by, source)
         SELECT x.village_id, x.month, x.category, x.amount, x.recipients, now(), $2, $3
           FROM jsonb_to_recordset($1::jsonb) AS x(village_id int, month date, category text, amount numeric, recipients int)
         ON CONFLICT (village_id, month, category) DO UPDATE
           SET amount_yuan = excluded.amount_yuan, recipients = excluded.recipients, updated_at = excluded.updated_at, updated_by = excluded.updated_by, source = excluded.source`,
        [rows, user.username, `import: ${file.name}`.slice(0, 200)])
      await tx.query(
        `DELETE FROM welfare_fund_publications p USING jsonb_to_recordset($1::jsonb) AS x(village_id int, month date)
          WHERE p.village_id = x.village_id AND p.month = x.month`, [rows])
    }
    const r = await tx.query<{ id: number }>(
      `INSERT INTO welfare_imports (actor, file_name, sha256, shape, rows, created, replaced, unchanged, withdrawn)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [user.username, file.name, createHash('sha256').update(file.bytes).digest('hex'), report.shape, report.rows, report.created, report.replaced, report.unchanged, report.withdrawn])
    return r.rows[0].id
  })
}
