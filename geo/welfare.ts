// 民生资金: the payment categories 民政's files carry, and the shapes the API sends the desk and
// the residents' page (one definition for both).

/**
 * The categories a figure may have, in the order screens list them. A file's own wording is
 * taken through ALIASES; any other name is refused (a typo would be a new slice of the wall's
 * chart, and nobody would notice).
 */
export const WELFARE_CATEGORIES = ['低保金', '特困供养金', '残疾人两项补贴', '高龄津贴', '临时救助', '孤儿基本生活费', '优抚金'] as const
export type WelfareCategory = (typeof WELFARE_CATEGORIES)[number]

/** Other names 民政's spreadsheets use for the same payments. */
const ALIASES: Record<string, WelfareCategory> = {
  低保: '低保金', 最低生活保障金: '低保金', 城乡低保: '低保金', 农村低保: '低保金', 城市低保: '低保金', 低保救助金: '低保金',
  特困: '特困供养金', 特困供养: '特困供养金', 特困人员供养金: '特困供养金', 特困人员救助供养金: '特困供养金', 五保: '特困供养金', 五保金: '特困供养金',
  残疾人补贴: '残疾人两项补贴', 两项补贴: '残疾人两项补贴', 残疾人两项补贴金: '残疾人两项补贴',
  高龄补贴: '高龄津贴', 高龄老人津贴: '高龄津贴', 高龄补助: '高龄津贴',
  临时救助金: '临时救助',
  孤儿生活费: '孤儿基本生活费', 孤儿基本生活保障金: '孤儿基本生活费',
  优抚: '优抚金', 优抚补助: '优抚金', 优抚对象抚恤补助: '优抚金',
}

/** A file's category as one of WELFARE_CATEGORIES, or null when it names none. */
export function welfareCategory(text: string): WelfareCategory | null {
  const t = text.replace(/\s/g, '')
  return (WELFARE_CATEGORIES as readonly string[]).includes(t) ? (t as WelfareCategory) : ALIASES[t] ?? null
}

/** The county department whose files these are (民政); the admin may import them too. */
export const WELFARE_DEPARTMENT = '民政局'

/** One figure: a village's payments of one category in one month. */
export interface WelfareFund {
  category: string
  amountYuan: number
  recipients: number
  /** who last wrote it and how; null for figures from before imports (the demo's history) */
  updatedAt: string | null
  updatedBy: string | null
  source: string | null
}

/** A village's month on the desk: its figures and whether residents see them. */
export interface WelfareVillageMonth {
  villageId: number
  villageName: string
  month: string
  totalYuan: number
  recipients: number
  publishedAt: string | null
  publishedBy: string | null
  funds: WelfareFund[]
}

export interface WelfareMonthList {
  /** the month shown, 'YYYY-MM' (null: no figures at all yet) */
  month: string | null
  /** every month with figures in the caller's scope, newest first */
  months: string[]
  villages: WelfareVillageMonth[]
}

/** What residents read of a village (三务公开): no person, no free text. */
export interface PublicVillageAffairs {
  village: { id: number; name: string }
  notices: { category: string; title: string; publishedAt: string }[]
  payments: { month: string; publishedAt: string; totalYuan: number; recipients: number; funds: { category: string; amountYuan: number; recipients: number }[] }[]
}
