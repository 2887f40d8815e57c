// 星级评定: a village party secretary's stars for a year, by the township's rule — the annual
// review (考核) 优秀 2 stars, 合格 1, 基本合格 and 不合格 none; every national honour of the year
// 2 more, every provincial one 1 more; and stars only from the first full year in office. One
// function for the API (the wall's 党建先锋, the desk's list) and the screens (the desk's form
// shows what a review will give before it is saved), so the rule is written once.

export const ANNUAL_REVIEWS = ['优秀', '合格', '基本合格', '不合格'] as const
export type AnnualReview = (typeof ANNUAL_REVIEWS)[number]
export const HONOUR_LEVELS = ['national', 'provincial'] as const
export type HonourLevel = (typeof HONOUR_LEVELS)[number]
export const HONOUR_LABELS: Record<HonourLevel, string> = { national: '国家级', provincial: '省级' }

export interface Honour {
  level: HonourLevel
  name: string
}

export interface StarInputs {
  annualReview: AnnualReview
  honours: readonly Honour[]
  /**
   * whole years the secretary had served by the end of the reviewed year: a secretary who took
   * office during the year (0) is reviewed but not starred, as the rule counts from one year in office
   */
  tenureYears: number
}

export interface StarRating {
  stars: number
  /** why, one line per part of the rule that applied, in the order the rule reads */
  reasons: string[]
}

export const REVIEW_STARS: Readonly<Record<AnnualReview, number>> = { 优秀: 2, 合格: 1, 基本合格: 0, 不合格: 0 }
export const HONOUR_STARS: Readonly<Record<HonourLevel, number>> = { national: 2, provincial: 1 }
/** stars count from this many whole years in office */
export const MIN_TENURE_YEARS = 1

export function rateSecretary(i: StarInputs): StarRating {
  if (!(i.tenureYears >= MIN_TENURE_YEARS)) return { stars: 0, reasons: [`任职未满${MIN_TENURE_YEARS}年，不计星`] }
  const base = REVIEW_STARS[i.annualReview]
  const reasons = [base ? `年度考核${i.annualReview} +${base}` : `年度考核${i.annualReview}，不加星`]
  let stars = base
  for (const h of i.honours) {
    stars += HONOUR_STARS[h.level]
    reasons.push(`${HONOUR_LABELS[h.level]}荣誉「${h.name}」 +${HONOUR_STARS[h.level]}`)
  }
  return { stars, reasons }
}

/** A village's review of a year as GET/PUT /api/star-reviews answer it. */
export interface VillageReview {
  villageId: number
  name: string
  /** null: not reviewed that year */
  review: (StarInputs & { reviewedBy: string | null; reviewedAt: string | null }) | null
  stars: number | null
  reasons: string[]
}

/** GET /api/star-reviews: the year shown, the years reviewed (newest first) and the scope's villages */
export interface StarReviewList {
  year: number
  years: number[]
  villages: VillageReview[]
}
