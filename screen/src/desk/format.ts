// Times as a township desk reads them: Beijing time whatever the PC's clock zone.
const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
})
const shortTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })

export const fmtTime = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)).replace(/\//g, '-') : '—')
export const fmtShort = (iso: string | null | undefined): string => (iso ? shortTime.format(new Date(iso)).replace(/\//g, '-') : '—')

/** "还剩 3小时20分" / "超期 2天4小时": the deadline clock's words */
export function fmtLeft(deadlineIso: string, now: number): { text: string; late: boolean; soon: boolean } {
  const ms = Date.parse(deadlineIso) - now
  const late = ms < 0
  const min = Math.floor(Math.abs(ms) / 60_000)
  const d = Math.floor(min / 1440)
  const h = Math.floor((min % 1440) / 60)
  const m = min % 60
  const span = d > 0 ? `${d}天${h}小时` : h > 0 ? `${h}小时${m}分` : `${m}分`
  return { text: late ? `超期 ${span}` : `剩 ${span}`, late, soon: !late && ms < 4 * 3_600_000 }
}

export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)
export const num1 = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(1))

/** a date input's day (YYYY-MM-DD, Beijing) as the instant it starts, for the API's date-time filters */
export const dayStart = (day: string): string => `${day}T00:00:00+08:00`
export function nextDayStart(day: string): string {
  const d = new Date(`${day}T00:00:00+08:00`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString()
}

const dayFmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
/** the Beijing day of an instant, YYYY-MM-DD */
export const fmtDate = (iso: string | null | undefined): string => (iso ? dayFmt.format(new Date(iso)) : '—')
/** today in Beijing, YYYY-MM-DD (what date inputs default to and are limited by) */
export const today = (): string => dayFmt.format(new Date())

/** an account as people read it: the residents' channel posts as '#resident', which no one would recognise */
export const fmtActor = (username: string | null | undefined): string => (username === '#resident' ? '群众（随手拍）' : username ?? '—')

const secondsFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
/** "12-08 08:44:05": a truck's fix or a playback moment, where seconds tell a live truck from a stale one */
export const fmtSeconds = (iso: string | number | null | undefined): string => (iso === null || iso === undefined ? '—' : secondsFmt.format(new Date(iso)).replace(/\//g, '-'))
