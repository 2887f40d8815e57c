// The app's own date, month and time fields (screen/src/shared/components): what a typed text
// means, and the calendar a popup shows. The browser's native fields speak the browser's
// language (mm/dd/yyyy, AM/PM in an en-US Chromium); these speak zh-CN in every browser and keep
// the values the API takes: 'YYYY-MM-DD', 'YYYY-MM', 'HH:mm'.

const pad = (n: number) => String(n).padStart(2, '0')
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()

/**
 * A typed date as 'YYYY-MM-DD', or null when it is no calendar date. Takes 2024-03-05, 2024-3-5,
 * 2024/3/5, 2024.3.5, 2024年3月5日 and 20240305 (whitespace ignored); '' for an empty field.
 */
export function parseDate(text: string): string | null {
  const s = text.replace(/\s+/g, '')
  if (s === '') return ''
  const m = /^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$/.exec(s)
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2] ?? m[4])
  const d = Number(m[3] ?? m[5])
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null
  return `${y}-${pad(mo)}-${pad(d)}`
}

/** A typed month as 'YYYY-MM', or null: 2024-03, 2024-3, 2024/3, 2024年3月, 202403; '' for empty. */
export function parseMonth(text: string): string | null {
  const s = text.replace(/\s+/g, '')
  if (s === '') return ''
  const m = /^(\d{4})(?:[-/.年](\d{1,2})月?|(\d{2}))$/.exec(s)
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2] ?? m[3])
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12) return null
  return `${y}-${pad(mo)}`
}

/** A typed time of day, 24-hour, as 'HH:mm', or null: 21:30, 9:05, 2130, 905, 21点30, 21时; '' for empty. */
export function parseTime(text: string): string | null {
  const s = text.replace(/\s+/g, '').replace('：', ':')
  if (s === '') return ''
  const m = /^(\d{1,2})(?:[:点时](\d{1,2})?分?)?$/.exec(s) ?? /^(\d{1,2})(\d{2})$/.exec(s)
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2] ?? 0)
  if (h > 23 || min > 59) return null
  return `${pad(h)}:${pad(min)}`
}

/** whether a normalised value ('YYYY-MM-DD', 'YYYY-MM' or 'HH:mm': they compare as text) is within [min, max] */
export const inRange = (v: string, min?: string | null, max?: string | null) => (!min || v >= min) && (!max || v <= max)

export interface CalendarDay { date: string; day: number; inMonth: boolean }

/** The weeks of a month as a calendar shows them: Monday first (一二三四五六日), whole weeks. */
export function calendarWeeks(year: number, month: number): CalendarDay[][] {
  const first = new Date(Date.UTC(year, month - 1, 1))
  const lead = (first.getUTCDay() + 6) % 7
  const start = Date.UTC(year, month - 1, 1 - lead)
  const weeks: CalendarDay[][] = []
  for (let w = 0; w * 7 < lead + daysIn(year, month); w++) {
    weeks.push(Array.from({ length: 7 }, (_, i) => {
      const d = new Date(start + (w * 7 + i) * 86_400_000)
      return { date: d.toISOString().slice(0, 10), day: d.getUTCDate(), inMonth: d.getUTCMonth() === month - 1 }
    }))
  }
  return weeks
}

export const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'] as const

const beijingDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
/** today in Beijing, 'YYYY-MM-DD', whatever the machine's time zone */
export const beijingToday = (now = new Date()) => beijingDay.format(now)
