// 星级评定: each village's yearly review of its party secretary (star_reviews, migration 044),
// entered by the town (admin, leaders) and read back with the stars it gives and why.
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { assertVillageInScope, scopeCondition } from '../access/scope.ts'
import { HttpError } from '../http/errors.ts'
import { rateSecretary, type AnnualReview, type Honour, type StarInputs, type StarReviewList, type VillageReview } from '../../geo/stars.ts'

/** the review as stored (003's codes) ↔ as the town words it */
const REVIEW_BY_CODE: Record<string, AnnualReview> = { excellent: '优秀', qualified: '合格', basic: '基本合格', failed: '不合格' }
const CODE_BY_REVIEW = Object.fromEntries(Object.entries(REVIEW_BY_CODE).map(([code, review]) => [review, code])) as Record<AnnualReview, string>

export interface ReviewRow {
  annual_review: string
  honours: Honour[]
  tenure_years: number
}

export const inputsOf = (r: ReviewRow): StarInputs => ({ annualReview: REVIEW_BY_CODE[r.annual_review], honours: r.honours, tenureYears: r.tenure_years })

/** a village and its review of the year, if any (a LEFT JOIN: the review's columns null without one) */
type Row = { village_id: number; name: string; annual_review: string | null; honours: Honour[] | null; tenure_years: number | null; reviewed_by: string | null; reviewed_at: Date | null }

function toReview(r: Row): VillageReview {
  if (r.annual_review === null || r.honours === null || r.tenure_years === null) return { villageId: r.village_id, name: r.name, review: null, stars: null, reasons: [] }
  const inputs = inputsOf({ annual_review: r.annual_review, honours: r.honours, tenure_years: r.tenure_years })
  return {
    villageId: r.village_id, name: r.name,
    review: { ...inputs, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null },
    ...rateSecretary(inputs),
  }
}

const SELECT = `SELECT v.id AS village_id, v.name, s.annual_review, s.honours, s.tenure_years, s.reviewed_by, s.reviewed_at
                  FROM villages v LEFT JOIN star_reviews s ON s.village_id = v.id AND s.year = $1`

/** The Beijing year now: a review is of a year that has begun. */
const thisYear = async (db: Queryable) => (await db.query<{ y: number }>(`SELECT date_part('year', now() AT TIME ZONE 'Asia/Shanghai')::int AS y`)).rows[0].y

/**
 * The villages of the caller's scope with their review of `year` (by default the latest year
 * reviewed there, or this year), and the years that have reviews, newest first.
 */
export async function listReviews(db: Queryable, user: AuthUser, year?: number): Promise<StarReviewList> {
  const params: unknown[] = []
  const inScope = scopeCondition(user, { village: 'v.id', grid: 'NULL' }, params)
  const years = (await db.query<{ year: number }>(
    `SELECT DISTINCT s.year FROM star_reviews s JOIN villages v ON v.id = s.village_id WHERE ${inScope} ORDER BY s.year DESC`, params)).rows.map((r) => r.year)
  const shown = year ?? years[0] ?? (await thisYear(db))
  const p2: unknown[] = [shown]
  const rows = await db.query<Row>(`${SELECT} WHERE ${scopeCondition(user, { village: 'v.id', grid: 'NULL' }, p2)} ORDER BY v.id`, p2)
  return { year: shown, years, villages: rows.rows.map(toReview) }
}

/** Enters (or corrects) a village's review of a year: 404 for an unknown village, 403 outside the caller's scope. */
export async function putReview(db: Queryable, user: AuthUser, villageId: number, year: number, input: StarInputs): Promise<VillageReview> {
  await assertVillageInScope(db, user, villageId)
  if (year > (await thisYear(db))) throw new HttpError(400, 'params/year must not be later than this year: a year is reviewed once it has begun', 'year_not_begun')
  const honours = input.honours.map((h) => ({ level: h.level, name: h.name.trim() }))
  const blank = honours.findIndex((h) => !h.name)
  if (blank >= 0) throw new HttpError(400, `body/honours/${blank}/name must not be blank`)
  await db.query(
    `INSERT INTO star_reviews (village_id, year, annual_review, honours, tenure_years, reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, now())
     ON CONFLICT (village_id, year) DO UPDATE SET annual_review = excluded.annual_review, honours = excluded.honours,
       tenure_years = excluded.tenure_years, reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at`,
    [villageId, year, CODE_BY_REVIEW[input.annualReview], JSON.stringify(honours), input.tenureYears, user.username])
  const rows = await db.query<Row>(`${SELECT} WHERE v.id = $2`, [year, villageId])
  return toReview(rows.rows[0])
}
