// How the phone's people and ledger views word things.

/** "店子镇韩坡村八组**号" → "八组**号": her grid is in one village, the rest is the same on every row */
export function shortAddress(address: string, villageName?: string): string {
  const at = villageName ? address.indexOf(villageName) : -1
  return at >= 0 ? address.slice(at + villageName!.length) || address : address
}

/** one household of her grid from 户册 (GET /api/households/roster) */
export interface RosterHousehold {
  id: number
  address: string
  houseNumber: string
  head: string | null
  members: number
  placed: boolean
}

/**
 * How she tells a household apart: "一组12号 · 户主 董庆宁" from 户册; without it (offline at
 * sign-in) the masked address and the household's number, as before.
 */
export function householdLabel(id: number, roster: ReadonlyMap<number, RosterHousehold>, masked: string | undefined, villageName?: string): string {
  const h = roster.get(id)
  if (h) return `${shortAddress(h.address, villageName)} · ${h.head ? `户主 ${h.head}` : '户主未登记'}`
  return masked ? `${shortAddress(masked, villageName)}（户 ${id}）` : `户 ${id}`
}

/** a household as the pickers list it: its label, and its 户册 row to search by */
export interface HouseholdOption {
  id: number
  label: string
  roster?: RosterHousehold
}

/** 搜索: a name (the head's, or part of it), a house number ("12" or "12号") or words of the address */
export function matchesHousehold(query: string, h: RosterHousehold | undefined, label: string): boolean {
  const q = query.trim().replace(/号$/, '')
  if (!q) return true
  if (!h) return label.includes(q)
  if (/^\d+$/.test(q)) return h.houseNumber === q || h.houseNumber.startsWith(q)
  return (h.head ?? '').includes(q) || h.address.includes(q)
}

/** the life events she may record for a registered person (POST /api/residents/:id/events) */
export const LIFE_EVENTS = [
  { value: 'moveOut', label: '迁出（注销）' },
  { value: 'death', label: '死亡（注销）' },
  { value: 'moveHousehold', label: '转到本网格其他户' },
] as const
export const EVENT_LABELS: Record<string, string> = { death: '死亡', moveOut: '迁出', moveIn: '迁入', moveHousehold: '转户', birth: '出生' }

const DAY = 86_400_000
const mdFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric' })
/** 12月8日, in Beijing */
const md = (t: number | string) => {
  const p = Object.fromEntries(mdFmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]))
  return `${p.month}月${p.day}日`
}

/** when a ledger person is due: 超期 N 天, 已到期 (less than a day), or 12月8日前 */
export function dueText(nextDue: string, overdue: boolean, now = Date.now()): string {
  const t = Date.parse(nextDue)
  if (overdue) {
    const days = Math.floor((now - t) / DAY)
    return days >= 1 ? `超期 ${days} 天` : '已到期'
  }
  return `${md(t)}前`
}

/** the last follow-up, as a date */
export const lastText = (iso: string | null) => (iso ? `上次 ${md(iso)}` : '从未随访')
