import { describe, expect, it } from 'vitest'
import { capacity, groupRows, histogram, REST_LABEL, scrollWindow, topWithRest } from './chart-shape.ts'

interface Row { name: string; n: number }
const rows = (count: number): Row[] => Array.from({ length: count }, (_, i) => ({ name: `村${i + 1}`, n: (i * 37) % 101 }))
const merge = (rest: Row[]): Row => ({ name: REST_LABEL, n: rest.reduce((s, r) => s + r.n, 0) })
const byN = (a: Row, b: Row) => b.n - a.n || a.name.localeCompare(b.name)

describe('chart data shaping', () => {
  it('never gives a chart more categories than it can show, and loses nothing in the sum', () => {
    for (const count of [0, 1, 5, 16, 17, 18, 102, 1271]) {
      for (const max of [1, 2, 8, 17]) {
        const input = rows(count)
        const out = topWithRest(input, max, { rank: byN, merge })
        expect(out.length, `${count} into ${max}`).toBeLessThanOrEqual(max)
        expect(out.reduce((s, r) => s + r.n, 0)).toBe(input.reduce((s, r) => s + r.n, 0))
        if (count <= max) expect(out).toEqual(input)
        else {
          expect(out.at(-1)!.name).toBe(REST_LABEL)
          // the rows kept are the highest ranked, in rank order
          expect(out.slice(0, -1)).toEqual([...input].sort(byN).slice(0, max - 1))
        }
      }
    }
  })

  it('counts the labels that fit along an axis', () => {
    expect(capacity(200, 12)).toBe(16)
    expect(capacity(5, 12)).toBe(1)
    expect(capacity(0, 12)).toBe(1)
    expect(capacity(200, 0)).toBe(1)
  })

  it('makes a histogram over fixed keys, zeros included', () => {
    const h = histogram([{ s: 2 }, { s: 2 }, { s: 0 }, { s: 9 }], (r) => r.s, [4, 3, 2, 1, 0])
    expect(h).toEqual([{ key: 4, count: 0 }, { key: 3, count: 0 }, { key: 2, count: 2 }, { key: 1, count: 0 }, { key: 0, count: 1 }])
  })

  it('scrolls a ranking through a window that wraps and never exceeds its size', () => {
    const r = rows(10).map((x) => x.name)
    expect(scrollWindow(r, 4, 0)).toEqual(['村1', '村2', '村3', '村4'])
    expect(scrollWindow(r, 4, 8)).toEqual(['村9', '村10', '村1', '村2'])
    expect(scrollWindow(r, 4, -1)).toEqual(['村10', '村1', '村2', '村3'])
    expect(scrollWindow(r, 40, 3)).toHaveLength(10)
    expect(scrollWindow([], 4, 3)).toEqual([])
    const seen = new Set<string>()
    for (let step = 0; step < 3; step++) for (const x of scrollWindow(r, 4, step * 4)) seen.add(x)
    expect(seen.size).toBe(10)
  })

  it("merges villages into their towns: one row a town, nothing lost, unknown villages left out", () => {
    const villages = Array.from({ length: 102 }, (_, i) => ({ villageId: i + 1, eligible: 100 + i, vaccinated: 90 + i }))
    const townOf = (id: number) => (id > 100 ? null : 1 + (id % 11))
    const towns = groupRows(villages, (v) => townOf(v.villageId), (town, rows) => ({
      town, villages: rows.length, eligible: rows.reduce((n, r) => n + r.eligible, 0), vaccinated: rows.reduce((n, r) => n + r.vaccinated, 0),
    }))
    expect(towns).toHaveLength(11)
    expect(towns.map((t) => t.town)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1])
    expect(towns.reduce((n, t) => n + t.villages, 0)).toBe(100)
    const known = villages.filter((v) => townOf(v.villageId) !== null)
    expect(towns.reduce((n, t) => n + t.eligible, 0)).toBe(known.reduce((n, v) => n + v.eligible, 0))
    expect(towns.reduce((n, t) => n + t.vaccinated, 0)).toBe(known.reduce((n, v) => n + v.vaccinated, 0))
  })
})
