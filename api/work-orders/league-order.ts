// The league tables' order: equal scores share a rank (standard competition ranking: 1, 2, 2, 4)
// and tied rows follow their names (zh-CN collation, numbers by value: 网格 2 before 网格 10), so
// the wall, the desk and an export agree row for row, whatever order the database returned.
const collator = new Intl.Collator('zh-CN', { numeric: true })

/**
 * Sorted by score (highest first), ties by `name` then `id`, each with its `rank`: one more than
 * the number of rows that scored higher. Scores are the tables' rounded ones (one decimal), so
 * two rows that show the same score are tied.
 */
export function ranked<T extends { score: number }>(rows: T[], name: (row: T) => string, id: (row: T) => number): (T & { rank: number })[] {
  const sorted = [...rows].sort((a, b) => b.score - a.score || collator.compare(name(a), name(b)) || id(a) - id(b))
  let rank = 0
  return sorted.map((row, i) => {
    if (i === 0 || row.score !== sorted[i - 1].score) rank = i + 1
    return { ...row, rank }
  })
}
