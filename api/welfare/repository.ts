import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { scopeCondition } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { PublicVillageAffairs, WelfareMonthList, WelfareVillageMonth } from '../../geo/welfare.ts'
import { assertFundsVillage, fundsScope } from './access.ts'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const cents = (x: number) => Math.round(x * 100) / 100
const firstDay = (month: string) => `${month}-01`

/**
 * A month's figures per village of the caller's scope (the latest month with figures when none
 * is asked), with each village-month's publication; the months with figures, newest first.
 */
export async function listMonth(db: Queryable, user: AuthUser, q: { month?: string; villageId?: number }): Promise<WelfareMonthList> {
  if (q.villageId !== undefined) await assertFundsVillage(db, user, q.villageId)
  const params: unknown[] = [q.villageId ?? null]
  const where = `($1::int IS NULL OR f.village_id = $1) AND ${scopeCondition(user, fundsScope('f.village_id'), params)}`
  const months = (await db.query<{ m: string }>(`SELECT DISTINCT to_char(f.month, 'YYYY-MM') AS m FROM welfare_funds f WHERE ${where} ORDER BY m DESC`, params)).rows.map((r) => r.m)
  const month = q.month ?? months[0] ?? null
  if (month === null) return { month: null, months, villages: [] }
  params.push(firstDay(month))
  const rows = (await db.query<{
    village_id: number; village: string; category: string; amount: number; recipients: number; updated_at: string | null; updated_by: string | null; source: string | null
    published_at: string | null; published_by: string | null
  }>(
    `SELECT f.village_id, v.name AS village, f.category, f.amount_yuan AS amount, f.recipients, ${iso('f.updated_at')} AS updated_at, f.updated_by, f.source,
            ${iso('p.published_at')} AS published_at, p.published_by
       FROM welfare_funds f JOIN villages v ON v.id = f.village_id
       LEFT JOIN welfare_fund_publications p ON p.village_id = f.village_id AND p.month = f.month
      WHERE ${where} AND f.month = $${params.length}::date
      ORDER BY f.village_id, f.amount_yuan DESC, f.category`, params)).rows
  const villages = new Map<number, WelfareVillageMonth>()
  for (const r of rows) {
    const v = villages.get(r.village_id) ?? {
      villageId: r.village_id, villageName: r.village, month, totalYuan: 0, recipients: 0, publishedAt: r.published_at, publishedBy: r.published_by, funds: [],
    }
    v.funds.push({ category: r.category, amountYuan: cents(r.amount), recipients: r.recipients, updatedAt: r.updated_at, updatedBy: r.updated_by, source: r.source })
    v.totalYuan = cents(v.totalYuan + r.amount)
    v.recipients += r.recipients
    villages.set(r.village_id, v)
  }
  return { month, months, villages: [...villages.values()] }
}

export interface FundChange {
  villageId: number
  month: string
  category: string
  /** the new figure; null deletes it */
  figure: { amountYuan: number; recipients: number } | null
}

/**
 * A correction on the desk: one figure set (or deleted). Its village-month's publication is
 * withdrawn when the figure really changes. Returns what it was, for the audit trail.
 */
export async function changeFund(db: Db, user: AuthUser, c: FundChange): Promise<{ before: { amountYuan: number; recipients: number } | null; changed: boolean; withdrawn: boolean }> {
  await assertFundsVillage(db, user, c.villageId)
  return db.transaction(async (tx) => {
    const held = await tx.query<{ amount: number; recipients: number }>(
      `SELECT amount_yuan AS amount, recipients FROM welfare_funds WHERE village_id = $1 AND month = $2::date AND category = $3 FOR UPDATE`,
      [c.villageId, firstDay(c.month), c.category])
    const before = held.rows[0] ? { amountYuan: cents(held.rows[0].amount), recipients: held.rows[0].recipients } : null
    if (!before && !c.figure) throw notFound(`${c.category} of village ${c.villageId} in ${c.month}`)
    const changed = !before || !c.figure || before.amountYuan !== c.figure.amountYuan || before.recipients !== c.figure.recipients
    if (!changed) return { before, changed, withdrawn: false }
    if (c.figure) {
      await tx.query(
        `INSERT INTO welfare_funds (village_id, month, category, amount_yuan, recipients, updated_at, updated_by, source) VALUES ($1, $2::date, $3, $4, $5, now(), $6, 'edit')
         ON CONFLICT (village_id, month, category) DO UPDATE
           SET amount_yuan = excluded.amount_yuan, recipients = excluded.recipients, updated_at = excluded.updated_at, updated_by = excluded.updated_by, source = excluded.source`,
        [c.villageId, firstDay(c.month), c.category, c.figure.amountYuan, c.figure.recipients, user.username])
    } else {
      await tx.query(`DELETE FROM welfare_funds WHERE village_id = $1 AND month = $2::date AND category = $3`, [c.villageId, firstDay(c.month), c.category])
    }
    const gone = await tx.query(`DELETE FROM welfare_fund_publications WHERE village_id = $1 AND month = $2::date RETURNING village_id`, [c.villageId, firstDay(c.month)])
    return { before, changed, withdrawn: gone.rows.length > 0 }
  })
}

/**
 * A leader publishes a month to residents: one village's, or every village of her scope with
 * figures that month. Publishing again keeps the first time. The number of villages published.
 */
export async function publish(db: Queryable, user: AuthUser, month: string, villageId?: number): Promise<number> {
  if (villageId !== undefined) await assertFundsVillage(db, user, villageId)
  const params: unknown[] = [firstDay(month), villageId ?? null, user.username]
  const r = await db.query(
    `INSERT INTO welfare_fund_publications (village_id, month, published_at, published_by)
     SELECT DISTINCT f.village_id, f.month, now(), $3 FROM welfare_funds f
      WHERE f.month = $1::date AND ($2::int IS NULL OR f.village_id = $2) AND ${scopeCondition(user, fundsScope('f.village_id'), params)}
     ON CONFLICT (village_id, month) DO NOTHING RETURNING village_id`, params)
  if (villageId !== undefined && !r.rows.length) {
    const held = await db.query(`SELECT 1 FROM welfare_funds WHERE village_id = $1 AND month = $2::date LIMIT 1`, [villageId, firstDay(month)])
    if (!held.rows.length) throw new HttpError(409, `village ${villageId} has no figures for ${month} to publish`, 'nothing_to_publish')
  }
  return r.rows.length
}

/** A leader takes a village's month back from residents (a figure to be checked first). */
export async function withdraw(db: Queryable, user: AuthUser, month: string, villageId: number): Promise<boolean> {
  await assertFundsVillage(db, user, villageId)
  const r = await db.query(`DELETE FROM welfare_fund_publications WHERE village_id = $1 AND month = $2::date RETURNING village_id`, [villageId, firstDay(month)])
  return r.rows.length > 0
}

/**
 * 三务公开 for residents: a village's published notices (category, title, date: no free text)
 * and its published months of payments (sums per category), the latest first.
 */
export async function publicAffairs(db: Queryable, villageId: number): Promise<PublicVillageAffairs> {
  const village = (await db.query<{ id: number; name: string }>('SELECT id, name FROM villages WHERE id = $1', [villageId])).rows[0]
  if (!village) throw notFound(`village ${villageId}`)
  const notices = (await db.query<{ category: string; title: string; publishedAt: string }>(
    `SELECT category, title, ${iso('published_at')} AS "publishedAt" FROM notices WHERE village_id = $1 ORDER BY published_at DESC, id DESC LIMIT 20`, [villageId])).rows
  const rows = (await db.query<{ month: string; published_at: string; category: string; amount: number; recipients: number }>(
    `SELECT to_char(p.month, 'YYYY-MM') AS month, ${iso('p.published_at')} AS published_at, f.category, f.amount_yuan AS amount, f.recipients
       FROM (SELECT * FROM welfare_fund_publications WHERE village_id = $1 ORDER BY month DESC LIMIT 12) p
       JOIN welfare_funds f ON f.village_id = p.village_id AND f.month = p.month
      ORDER BY p.month DESC, f.amount_yuan DESC, f.category`, [villageId])).rows
  const payments: PublicVillageAffairs['payments'] = []
  for (const r of rows) {
    let m = payments.at(-1)
    if (m?.month !== r.month) payments.push(m = { month: r.month, publishedAt: r.published_at, totalYuan: 0, recipients: 0, funds: [] })
    m.funds.push({ category: r.category, amountYuan: cents(r.amount), recipients: r.recipients })
    m.totalYuan = cents(m.totalYuan + r.amount)
    m.recipients += r.recipients
  }
  return { village, notices, payments }
}
