/** Midnight of today in Asia/Shanghai (UTC+8, no daylight saving), as an instant. */
export function shanghaiMidnight(now = Date.now()): Date {
  const day = Math.floor((now + 8 * 3_600_000) / 86_400_000)
  return new Date(day * 86_400_000 - 8 * 3_600_000)
}
