import { describe, expect, it } from 'vitest'
import { DEFAULT_HEAP_LIMIT_MB, framesPerSecond, heapLimitFrom, heapOverLimit, isQuiet, makeDisplayId, QUIET_AFTER_MS, reloadReason } from './upkeep.ts'

describe('the heap limit', () => {
  it('comes from the address, or is the default', () => {
    expect(heapLimitFrom('?heapLimitMb=800')).toBe(800)
    expect(heapLimitFrom('?tour=夜班&heapLimitMb=1.5')).toBe(1.5)
    expect(heapLimitFrom('')).toBe(DEFAULT_HEAP_LIMIT_MB)
    for (const bad of ['?heapLimitMb=', '?heapLimitMb=abc', '?heapLimitMb=0', '?heapLimitMb=-5', '?heapLimitMb=1e9']) expect(heapLimitFrom(bad)).toBe(DEFAULT_HEAP_LIMIT_MB)
  })

  it('is passed when the last three readings are all over it', () => {
    expect(heapOverLimit([900, 1100, 1200, 1300], 1024)).toBe(true)
    // one reading under the limit in the last three: the collector may just not have run
    expect(heapOverLimit([1100, 1200, 1000, 1300], 1024)).toBe(false)
    expect(heapOverLimit([1100, 1200], 1024)).toBe(false)
    // a browser that does not tell its heap never passes it
    expect(heapOverLimit([1100, null, 1300], 1024)).toBe(false)
    expect(heapOverLimit([1024, 1024, 1024], 1024)).toBe(false)
    expect(heapOverLimit([2, 3], 1, 2)).toBe(true)
  })
})

describe('reloading', () => {
  it('follows a new build first, then the heap', () => {
    expect(reloadReason('abc', 'def', [], 1024)).toBe('version')
    expect(reloadReason('abc', 'abc', [2000, 2000, 2000], 1024)).toBe('heap')
    expect(reloadReason('abc', 'abc', [100, 100, 100], 1024)).toBeNull()
    // until both builds are known, nothing is decided on them
    expect(reloadReason(null, 'def', [], 1024)).toBeNull()
    expect(reloadReason('abc', null, [], 1024)).toBeNull()
  })

  it('waits for a quiet moment: nobody touching, nothing replayed, and never mid-tour', () => {
    const now = 10_000_000
    const base = { now, lastTouch: 0, touring: false, replaying: false }
    expect(isQuiet(base)).toBe(true)
    expect(isQuiet({ ...base, lastTouch: now - 5_000 })).toBe(false)
    expect(isQuiet({ ...base, lastTouch: now - QUIET_AFTER_MS })).toBe(true)
    expect(isQuiet({ ...base, replaying: true })).toBe(false)
    // a touring wall reloads between two steps, not on this clock
    expect(isQuiet({ ...base, touring: true })).toBe(false)
    expect(isQuiet({ ...base, lastTouch: now - 1_000, hidden: true })).toBe(true)
  })
})

describe('what a wall reports', () => {
  it('counts frames per second over a window of frame times', () => {
    expect(framesPerSecond(Array.from({ length: 121 }, (_, i) => 1000 + i * (1000 / 60)))).toBe(60)
    expect(framesPerSecond([0, 100, 200, 300, 400, 500])).toBe(10)
    expect(framesPerSecond([5])).toBeNull()
    expect(framesPerSecond([])).toBeNull()
  })

  it('makes an id the API accepts', () => {
    let seed = 0
    const id = makeDisplayId((n) => Uint8Array.from({ length: n }, () => (seed += 37) % 256))
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    expect(id).toHaveLength(21)
  })
})
