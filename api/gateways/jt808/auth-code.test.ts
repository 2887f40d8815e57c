import { describe, expect, it, vi } from 'vitest'

// the real function, counted: the comparison must go through it
const { timingSafeEqual } = vi.hoisted(() => ({ timingSafeEqual: vi.fn() }))
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>()
  timingSafeEqual.mockImplementation(real.timingSafeEqual)
  return { ...real, timingSafeEqual }
})

const { codesMatch, newAuthCode } = await import('./auth-code.ts')

describe('auth codes', () => {
  it('are compared in constant time, on buffers of equal length whatever the codes', () => {
    const code = newAuthCode()
    expect(code).toMatch(/^[0-9a-f]{16}$/)
    expect(newAuthCode()).not.toBe(code)
    timingSafeEqual.mockClear()
    expect(codesMatch(code, code)).toBe(true)
    expect(codesMatch(code, `${code.slice(0, 15)}x`)).toBe(false)
    expect(codesMatch(code, '')).toBe(false)
    expect(codesMatch(code, code.repeat(20))).toBe(false)
    expect(timingSafeEqual).toHaveBeenCalledTimes(4)
    for (const [a, b] of timingSafeEqual.mock.calls as [Buffer, Buffer][]) expect(a.length).toBe(b.length)
  })
})
