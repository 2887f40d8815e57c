// Shaping a chart's data to what the chart can show. A township has 17 villages, a county
// 100 and more: a bar per village stacks labels on top of each other. Every chart that draws
// one category per unit goes through one of these, so none gets more categories than it
// can show: the first N with the rest merged into 其他, a histogram of the units instead of
// the units, or a window that scrolls through a ranking.

/** the label of the merged remainder */
export const REST_LABEL = '其他'

/** How many category labels fit along `length` (design px) when each needs `slot` px: at least 1. */
export function capacity(length: number, slot: number): number {
  if (!(length > 0) || !(slot > 0)) return 1
  return Math.max(1, Math.floor(length / slot))
}

/**
 * At most `max` rows. Rows that fit come back as they are, in their order; otherwise the
 * first `max - 1` by `rank` (in that order) and one row made by `merge` from all the others.
 */
export function topWithRest<T>(rows: readonly T[], max: number, opts: { rank: (a: T, b: T) => number; merge: (rest: T[]) => T }): T[] {
  const limit = Math.max(1, Math.floor(max))
  if (rows.length <= limit) return [...rows]
  const ranked = [...rows].sort(opts.rank)
  return [...ranked.slice(0, limit - 1), opts.merge(ranked.slice(limit - 1))]
}

/** How many rows fall on each key, for every key in `keys` (zeros included), in that order. */
export function histogram<T, K>(rows: readonly T[], key: (r: T) => K, keys: readonly K[]): { key: K; count: number }[] {
  const counts = new Map<K, number>(keys.map((k) => [k, 0]))
  for (const r of rows) {
    const k = key(r)
    if (counts.has(k)) counts.set(k, counts.get(k)! + 1)
  }
  return keys.map((k) => ({ key: k, count: counts.get(k)! }))
}

/**
 * `size` rows of a ranking starting at `offset`, wrapping around its end: a list that scrolls
 * by moving the offset shows every row in turn and never more than it has room for.
 */
export function scrollWindow<T>(rows: readonly T[], size: number, offset: number): T[] {
  const n = rows.length
  const k = Math.min(n, Math.max(0, Math.floor(size)))
  if (!k) return []
  const start = ((Math.floor(offset) % n) + n) % n
  return Array.from({ length: k }, (_, i) => rows[(start + i) % n])
}

/**
 * Rows merged by a group (villages into their towns, for a county's panels), one per group in
 * the order the groups first appear; rows whose group is unknown (null) are left out.
 */
export function groupRows<T, K, R>(rows: readonly T[], group: (r: T) => K | null, merge: (key: K, rows: T[]) => R): R[] {
  const groups = new Map<K, T[]>()
  for (const r of rows) {
    const k = group(r)
    if (k === null) continue
    const list = groups.get(k)
    if (list) list.push(r)
    else groups.set(k, [r])
  }
  return [...groups].map(([k, list]) => merge(k, list))
}
