import { describe, expect, it } from 'vitest'
import { beijingMonth, dueThisMonth, groupLedger, visitMarks, type LedgerEntry } from './useLedger.ts'

// 本月应访 and the map's marks, from the rows of GET /api/ledgers (a person once per group)
const NOW = Date.parse('2026-11-30T17:30:00Z') // 2026-12-01 01:30 in Beijing
const entry = (residentId: number, householdId: number, o: Partial<LedgerEntry>): LedgerEntry => ({
  residentId, householdId, gridName: '第8网格', name: '张*三', ageBand: '60–69岁', gender: '男', kind: 'care', tag: '空巢老人', periodDays: 30,
  lastFollowUp: '2026-10-02T09:39:00.000Z', nextDue: '2026-11-01T09:39:00.000Z', overdue: true, ...o,
})

describe('ledger follow-ups on the phone', () => {
  it('the Beijing month is the one the township lives in, whatever the UTC date', () => {
    const m = beijingMonth(NOW)
    expect(m.key).toBe('2026-12')
    expect(new Date(m.start).toISOString()).toBe('2026-11-30T16:00:00.000Z')
    expect(new Date(m.end).toISOString()).toBe('2026-12-31T16:00:00.000Z')
  })
  it('one row per person with every group, due when the earliest is', () => {
    const people = groupLedger([
      entry(1, 10, { kind: 'care', tag: '低保对象', periodDays: 90, nextDue: '2027-01-02T00:00:00.000Z', overdue: false }),
      entry(1, 10, { kind: 'key', tag: '刑满释放', periodDays: 7, nextDue: '2026-11-20T00:00:00.000Z', overdue: true }),
    ])
    expect(people).toHaveLength(1)
    expect(people[0]).toMatchObject({ residentId: 1, overdue: true, nextDue: '2026-11-20T00:00:00.000Z' })
    expect(people[0].tags.map((t) => t.tag)).toEqual(['刑满释放', '低保对象'])
  })
  it('本月应访: overdue first, then by date; those due after this month are left out', () => {
    const people = groupLedger([
      entry(1, 10, { nextDue: '2026-12-20T00:00:00.000Z', overdue: false }),
      entry(2, 11, { nextDue: '2026-11-25T00:00:00.000Z', overdue: true }),
      entry(3, 12, { nextDue: '2027-01-05T00:00:00.000Z', overdue: false }),
      entry(4, 13, { nextDue: '2026-12-05T00:00:00.000Z', overdue: false }),
      entry(5, 14, { nextDue: '2026-11-10T00:00:00.000Z', overdue: true }),
    ])
    expect(dueThisMonth(people, NOW).map((p) => p.residentId)).toEqual([5, 2, 4, 1])
  })
  it('marks: red where someone is overdue, green where followed up this month, amber where someone is due', () => {
    const people = groupLedger([
      entry(1, 10, { overdue: true }),
      entry(2, 10, { overdue: false, lastFollowUp: '2026-11-30T17:00:00.000Z', nextDue: '2026-12-30T17:00:00.000Z' }),
      entry(3, 11, { overdue: false, lastFollowUp: '2026-11-30T17:00:00.000Z', nextDue: '2026-12-07T17:00:00.000Z' }),
      entry(4, 12, { overdue: false, lastFollowUp: '2026-11-10T00:00:00.000Z', nextDue: '2026-12-10T00:00:00.000Z' }),
      entry(5, 13, { overdue: false, lastFollowUp: '2026-11-20T00:00:00.000Z', nextDue: '2027-02-18T00:00:00.000Z' }),
    ])
    const marks = visitMarks(people, new Set([20]), NOW)
    expect(Object.fromEntries(marks)).toEqual({ 10: 'overdue', 11: 'visited', 12: 'due', 20: 'visited' })
  })
})
