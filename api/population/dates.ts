/** Today's calendar date in Asia/Shanghai, YYYY-MM-DD: events are dated as the township lives them. */
export function beijingToday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10)
}
