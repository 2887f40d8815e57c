import { describe, expect, it } from 'vitest'
import { formatBeijing } from './clock.ts'

describe('Beijing clock', () => {
  it('shows Asia/Shanghai time whatever the machine zone', () => {
    const { date, time } = formatBeijing(new Date('2026-11-24T16:30:05Z'))
    expect(date).toBe('2026年11月25日 星期三')
    expect(time).toBe('00:30:05')
  })
})
