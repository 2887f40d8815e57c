import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { DepartmentRank, GridWorkerRank, VillageRank } from '../../geo/work-orders.ts'
import { ranked } from './league-order.ts'

// 擂台赛: equal scores share a rank (1, 2, 2, 4) and tied rows follow their names, on the server,
// so the wall's and the desk's tables agree row for row.
const collator = new Intl.Collator('zh-CN', { numeric: true })

describe('ranked', () => {
  it('gives tied scores one rank, skips the ranks they take, and orders them by name whatever the input order', () => {
    const rows = [
      { id: 1, name: '网格 10', score: 50 }, { id: 2, name: '网格 2', score: 50 }, { id: 3, name: '网格 3', score: 80 },
      { id: 4, name: '网格 1', score: 20 }, { id: 5, name: '网格 9', score: 50 },
    ]
    const out = ranked(rows, (r) => r.name, (r) => r.id)
    expect(out.map((r) => [r.rank, r.name])).toEqual([[1, '网格 3'], [2, '网格 2'], [2, '网格 9'], [2, '网格 10'], [5, '网格 1']])
    expect(ranked([...rows].reverse(), (r) => r.name, (r) => r.id)).toEqual(out)
  })
})

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

/** what a table must hold: competition ranks from the scores, ties in name order */
function expectCompetitionRanks<T extends { score: number; rank: number }>(rows: T[], name: (r: T) => string): number {
  let ties = 0
  rows.forEach((r, i) => {
    expect(r.rank, name(r)).toBe(1 + rows.filter((x) => x.score > r.score).length)
    if (i === 0) return
    const prev = rows[i - 1]
    expect(prev.score).toBeGreaterThanOrEqual(r.score)
    if (prev.score === r.score) {
      ties++
      expect(prev.rank).toBe(r.rank)
      expect(collator.compare(name(prev), name(r)), `${name(prev)} before ${name(r)}`).toBeLessThanOrEqual(0)
    }
  })
  return ties
}

describe('GET /api/work-orders/rankings', () => {
  it('ranks ties equal, in name order, in every table', async () => {
    const res = await t.as('leader', '/api/work-orders/rankings?days=30')
    expect(res.statusCode).toBe(200)
    const r = res.json() as { villages: VillageRank[]; gridWorkers: GridWorkerRank[]; departments: DepartmentRank[] }
    expectCompetitionRanks(r.villages, (v) => v.villageName)
    // the demo's departments sent nothing in the period share 0 points, as many grid workers do
    expect(expectCompetitionRanks(r.departments, (d) => d.departmentName)).toBeGreaterThan(0)
    expect(expectCompetitionRanks(r.gridWorkers, (g) => `${g.villageName} ${g.gridName}`)).toBeGreaterThan(0)
  })
})
