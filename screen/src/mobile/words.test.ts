import { describe, expect, it } from 'vitest'
import { householdLabel, matchesHousehold, type RosterHousehold } from './words.ts'

// Issue 29 (3): her households told apart by house number and head of household, and found by either
const h = (id: number, houseNumber: string, head: string | null): RosterHousehold =>
  ({ id, address: `店子镇石山村一组${houseNumber}号`, houseNumber, head, members: 3, placed: true })
const roster = new Map([[1, h(1, '12', '董庆宁')], [2, h(2, '120', '张燕红')], [3, h(3, '7', null)]])

describe('households on the phone', () => {
  it('reads "一组12号 · 户主 董庆宁" from 户册, and the masked address without it', () => {
    expect(householdLabel(1, roster, '店子镇石山村一组**号', '石山村')).toBe('一组12号 · 户主 董庆宁')
    expect(householdLabel(3, roster, '店子镇石山村一组*号', '石山村')).toBe('一组7号 · 户主未登记')
    expect(householdLabel(9, roster, '店子镇石山村一组*号', '石山村')).toBe('一组*号（户 9）')
  })
  it('finds a household by the head\'s name (or part of it) or its house number', () => {
    const find = (q: string) => [...roster.values()].filter((x) => matchesHousehold(q, x, '')).map((x) => x.id)
    expect(find('庆宁')).toEqual([1])
    expect(find('12号')).toEqual([1, 2])
    expect(find('7')).toEqual([3])
    expect(find('')).toEqual([1, 2, 3])
    expect(find('王')).toEqual([])
  })
})
