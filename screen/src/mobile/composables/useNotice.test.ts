import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { NOTICE_MS, useNotice } from './useNotice.ts'

// Issue 29 (12): the phone's confirmations went on showing until tapped; now they go by themselves
beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())
const make = () => effectScope().run(() => useNotice())!

describe('the phone notice', () => {
  it('a confirmation goes away by itself after a few seconds', () => {
    const n = make()
    n.show('走访已记录')
    expect(n.text.value).toBe('走访已记录')
    vi.advanceTimersByTime(NOTICE_MS - 1)
    expect(n.text.value).toBe('走访已记录')
    vi.advanceTimersByTime(1)
    expect(n.text.value).toBeNull()
  })
  it('a newer one replaces it with its own time; × dismisses at once', () => {
    const n = make()
    n.show('事件已上报')
    vi.advanceTimersByTime(NOTICE_MS - 100)
    n.show('走访已记录')
    vi.advanceTimersByTime(NOTICE_MS - 100)
    expect(n.text.value).toBe('走访已记录')
    n.dismiss()
    expect(n.text.value).toBeNull()
  })
  it("the account's state (no grid, a role the page is not for) stays until it changes", () => {
    const n = make()
    n.show('此账号尚未分配网格', { sticky: true })
    vi.advanceTimersByTime(NOTICE_MS * 10)
    expect(n.text.value).toBe('此账号尚未分配网格')
    expect(n.sticky.value).toBe(true)
  })
})
