import { describe, expect, it } from 'vitest'
import { windowStart } from './allowance.ts'

// Allowances count per clock hour, or per calendar day in Beijing (a department's day)
describe('allowance windows', () => {
  it('an hour starts on the hour; a day starts at midnight in Beijing (16:00 UTC)', () => {
    expect(windowStart('hour', Date.parse('2026-12-07T17:59:59.999Z')).toISOString()).toBe('2026-12-07T17:00:00.000Z')
    expect(windowStart('beijingDay', Date.parse('2026-12-07T15:59:59.999Z')).toISOString()).toBe('2026-12-06T16:00:00.000Z')
    expect(windowStart('beijingDay', Date.parse('2026-12-07T16:00:00.000Z')).toISOString()).toBe('2026-12-07T16:00:00.000Z')
  })
})
