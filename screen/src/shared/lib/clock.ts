import { onBeforeUnmount, ref } from 'vue'

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'long',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
})

/** Wall-clock time in Beijing whatever the display machine's time zone; one timer, cleared on unmount. */
export function formatBeijing(d: Date): { date: string; time: string } {
  const parts = Object.fromEntries(fmt.formatToParts(d).map((p) => [p.type, p.value]))
  return { date: `${parts.year}年${parts.month}月${parts.day}日 ${parts.weekday}`, time: `${parts.hour}:${parts.minute}:${parts.second}` }
}

export function useBeijingClock() {
  const now = ref(formatBeijing(new Date()))
  const timer = setInterval(() => (now.value = formatBeijing(new Date())), 1000)
  onBeforeUnmount(() => clearInterval(timer))
  return now
}

const hms = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
const mdhm = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })

/** 14:05:09 in Beijing time */
export const beijingTime = (t: string | number | Date) => hms.format(new Date(t))
/** 11/25 14:05 in Beijing time */
export const beijingDateTime = (t: string | number | Date) => mdhm.format(new Date(t))
