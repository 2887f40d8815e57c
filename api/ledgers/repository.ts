import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { PEOPLE_COLUMNS, scopeCondition } from '../access/scope.ts'

export interface LedgerFilter {
  kind?: 'key' | 'care'
  tag?: string
  villageId?: number
  gridId?: number
  /** only those past their follow-up date */
  overdue?: boolean
  limit: number
  offset: number
}

export interface LedgerRow {
  residentId: number
  householdId: number
  gridId: number
  gridName: string
  villageId: number
  villageName: string
  name: string
  /** null: a newborn before 户口 registration */
  idNumber: string | null
  phone: string | null
  gender: string
  birthDate: string
  kind: 'key' | 'care'
  tag: string
  periodDays: number
  lastFollowUp: string | null
  nextDue: string
  overdue: boolean
}

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * The last follow-up of a person: the latest visit to her household that was about her, or
 * about the household as a whole (a visit naming nobody saw everyone at home).
 */
const LAST_FOLLOW_UP = `(SELECT max(v.visited_at) FROM household_visits v
   WHERE v.household_id = r.household_id AND (v.resident_ids IS NULL OR v.resident_ids = '{}' OR v.resident_ids @> ARRAY[r.id]))`

/**
 * The people of the ledgers (台账) in the user's scope: each person once per group she is in,
 * with her last follow-up and when the next is due (never followed up: due now). Identifiers
 * come back whole; the route masks them as the reader's role requires.
 */
export async function ledgerRows(db: Queryable, f: LedgerFilter, user: AuthUser, now = new Date()): Promise<{ rows: LedgerRow[]; total: number }> {
  const params: unknown[] = [now.toISOString(), f.limit, f.offset]
  const bind = (v: unknown) => `$${params.push(v)}`
  const where = [scopeCondition(user, PEOPLE_COLUMNS, params), 'r.deregistered IS NULL']
  if (f.kind) where.push(`t.kind = ${bind(f.kind)}`)
  if (f.tag) where.push(`t.tag = ${bind(f.tag)}`)
  if (f.villageId !== undefined) where.push(`g.village_id = ${bind(f.villageId)}::int`)
  if (f.gridId !== undefined) where.push(`g.id = ${bind(f.gridId)}::int`)
  const r = await db.query<LedgerRow & { total: number }>(
    `WITH l AS (
       SELECT r.id, r.household_id, g.id AS grid_id, g.name AS grid_name, g.village_id, v.name AS village_name, r.name, r.id_number, r.phone,
              r.gender, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, t.kind, t.tag, p.period_days, ${LAST_FOLLOW_UP} AS last
         FROM resident_tags t
         JOIN ledger_periods p ON p.kind = t.kind AND p.tag = t.tag
         JOIN residents r ON r.id = t.resident_id
         JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id JOIN villages v ON v.id = g.village_id
        WHERE ${where.join(' AND ')}
     ), d AS (
       SELECT l.*, coalesce(l.last + make_interval(days => l.period_days), '-infinity'::timestamptz) AS due FROM l
     )
     SELECT id AS "residentId", household_id AS "householdId", grid_id AS "gridId", grid_name AS "gridName", village_id AS "villageId",
            village_name AS "villageName", name, id_number AS "idNumber", phone, gender, birth_date AS "birthDate", kind, tag,
            period_days AS "periodDays", ${iso('last')} AS "lastFollowUp",
            CASE WHEN due = '-infinity' THEN ${iso('$1::timestamptz')} ELSE ${iso('due')} END AS "nextDue",
            due < $1::timestamptz AS overdue, count(*) OVER ()::int AS total
       FROM d WHERE ${f.overdue === undefined ? 'TRUE' : f.overdue ? 'due < $1::timestamptz' : 'due >= $1::timestamptz'}
      ORDER BY due, id, tag LIMIT $2 OFFSET $3`,
    params,
  )
  return { rows: r.rows.map(({ total: _t, ...row }) => row), total: r.rows[0]?.total ?? 0 }
}

/** How many ledger people are due (this month) and overdue in a screen scope: numbers only, for the wall. */
export async function ledgerCounts(db: Queryable, scope: { villageId: number | null; gridId: number | null; townId?: number | null }, now = new Date(), monthEnd?: Date): Promise<{ people: number; overdue: number; dueThisMonth: number }> {
  const r = await db.query<{ people: number; overdue: number; due: number }>(
    `WITH l AS (
       SELECT coalesce(${LAST_FOLLOW_UP} + make_interval(days => p.period_days), '-infinity'::timestamptz) AS due
         FROM resident_tags t
         JOIN ledger_periods p ON p.kind = t.kind AND p.tag = t.tag
         JOIN residents r ON r.id = t.resident_id AND r.deregistered IS NULL
         JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id
        WHERE ($1::int IS NULL OR g.village_id = $1) AND ($2::int IS NULL OR g.id = $2)
          AND ($5::int IS NULL OR g.village_id IN (SELECT tv.id FROM villages tv WHERE tv.town_id = $5)))
     SELECT count(*)::int AS people, count(*) FILTER (WHERE due < $3::timestamptz)::int AS overdue,
            count(*) FILTER (WHERE due < $4::timestamptz)::int AS due FROM l`,
    [scope.villageId, scope.gridId, now.toISOString(), (monthEnd ?? now).toISOString(), scope.townId ?? null],
  )
  return { people: r.rows[0].people, overdue: r.rows[0].overdue, dueThisMonth: r.rows[0].due }
}

export interface LedgerPeriod {
  kind: 'key' | 'care'
  tag: string
  periodDays: number
}

export async function listPeriods(db: Queryable): Promise<LedgerPeriod[]> {
  return (await db.query<LedgerPeriod>(`SELECT kind, tag, period_days AS "periodDays" FROM ledger_periods ORDER BY kind DESC, period_days, tag`)).rows
}

export async function setPeriod(db: Queryable, p: LedgerPeriod): Promise<LedgerPeriod> {
  const r = await db.query<LedgerPeriod>(
    `INSERT INTO ledger_periods (kind, tag, period_days) VALUES ($1, $2, $3)
     ON CONFLICT (kind, tag) DO UPDATE SET period_days = excluded.period_days RETURNING kind, tag, period_days AS "periodDays"`,
    [p.kind, p.tag, p.periodDays])
  return r.rows[0]
}
