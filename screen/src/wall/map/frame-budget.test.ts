import { describe, expect, it } from 'vitest'
import { FASTEST_GAP_MS, FrameBudget } from './frame-budget.ts'

describe('FrameBudget', () => {
  it('lets a GPU-drawn map animate at 15 frames a second', () => {
    const b = new FrameBudget()
    for (let i = 0; i < 20; i++) b.record(18)
    expect(b.gapMs).toBe(FASTEST_GAP_MS)
    expect(b.slow).toBe(false)
  })

  it('spaces redraws on a CPU renderer so drawing takes at most an eighth of the time', () => {
    const b = new FrameBudget()
    for (let i = 0; i < 20; i++) b.record(300 + 1000 / 60)
    expect(b.frameMs).toBeCloseTo(300, 0)
    expect(b.gapMs).toBeCloseTo(2000, 0)
    expect(b.slow).toBe(true)
  })

  it("a moderately slow renderer gets its redraws spaced by eight times a frame's cost", () => {
    const b = new FrameBudget()
    for (let i = 0; i < 20; i++) b.record(60 + 1000 / 60)
    expect(b.gapMs).toBeCloseTo(500, 0)
    expect(b.slow).toBe(false)
  })

  it('recovers when frames become cheap again (the heavy scope was left)', () => {
    const b = new FrameBudget()
    for (let i = 0; i < 10; i++) b.record(400)
    for (let i = 0; i < 20; i++) b.record(17)
    expect(b.gapMs).toBe(FASTEST_GAP_MS)
    expect(b.slow).toBe(false)
  })

  it('one gap of minutes (a sleeping PC, a hidden tab) neither stalls the map for long nor counts as slow forever', () => {
    const b = new FrameBudget()
    for (let i = 0; i < 10; i++) b.record(17)
    b.record(10 * 60_000)
    expect(b.gapMs).toBeLessThanOrEqual(2000)
    for (let i = 0; i < 20; i++) b.record(17)
    expect(b.gapMs).toBe(FASTEST_GAP_MS)
  })

  it('ignores nonsense gaps', () => {
    const b = new FrameBudget()
    b.record(Number.NaN)
    b.record(-5)
    expect(b.gapMs).toBe(FASTEST_GAP_MS)
  })
})
