import { describe, expect, it } from 'vitest'
import { isNight, nextIndex, nightDim, parseTourScope, PAUSE_MS, resumeIndex, shanghaiMinutes, stepEndsAt } from './tour.ts'

// Beijing is UTC+8 all year: 22:00 in Beijing is 14:00 UTC
const bj = (hhmm: string, day = '2026-11-30') => Date.parse(`${day}T${hhmm}:00+08:00`)
const night = { nightStart: '22:00', nightEnd: '06:00', dim: 0.5 }

describe('tour steps', () => {
  it('read the kinds of scope and refuse others', () => {
    expect(parseTourScope('county')).toEqual({ kind: 'county', id: null })
    expect(parseTourScope('town')).toEqual({ kind: 'town', id: null })
    expect(parseTourScope('town:4')).toEqual({ kind: 'town', id: 4 })
    expect(parseTourScope('village:3')).toEqual({ kind: 'village', id: 3 })
    expect(parseTourScope('grid:208')).toEqual({ kind: 'grid', id: 208 })
    expect(parseTourScope('vehicle:12')).toEqual({ kind: 'vehicle', id: 12 })
    for (const bad of ['', 'moon:1', 'village:0', 'village:', 'grid:-1', 'town:0', 'county:1', 'vehicle:1x']) expect(parseTourScope(bad)).toBeNull()
  })

  it('last their dwell time, or a minute past the last touch when that is later', () => {
    const t0 = 1_000_000
    expect(stepEndsAt(t0, 30, 0)).toBe(t0 + 30_000)
    // touched 10 s into a 30 s step: held until a minute after the touch
    expect(stepEndsAt(t0, 30, t0 + 10_000 + PAUSE_MS)).toBe(t0 + 70_000)
    // a touch long before the step began does not hold it
    expect(stepEndsAt(t0, 30, t0 - 5_000)).toBe(t0 + 30_000)
  })

  it('go round for ever', () => {
    expect([0, 1, 2, 3].reduce<number[]>((seen) => [...seen, nextIndex(seen.at(-1)!, 3)], [0])).toEqual([0, 1, 2, 0, 1])
    expect(nextIndex(0, 1)).toBe(0)
    expect(nextIndex(5, 0)).toBe(0)
  })

  it('pick up after a reload where the tour was going, if it is the same tour and recent', () => {
    const now = 5_000_000
    expect(resumeIndex({ tour: '夜班', index: 2, at: now - 3_000 }, '夜班', 3, now)).toBe(2)
    expect(resumeIndex({ tour: '白班', index: 2, at: now - 3_000 }, '夜班', 3, now)).toBe(0)
    expect(resumeIndex({ tour: '夜班', index: 2, at: now - 11 * 60_000 }, '夜班', 3, now)).toBe(0)
    // the tour was shortened while the wall reloaded
    expect(resumeIndex({ tour: '夜班', index: 4, at: now - 3_000 }, '夜班', 3, now)).toBe(0)
    expect(resumeIndex(null, '夜班', 3, now)).toBe(0)
  })
})

describe('night mode', () => {
  it('reads the clock in Beijing whatever the wall PC says', () => {
    expect(shanghaiMinutes(bj('00:00'))).toBe(0)
    expect(shanghaiMinutes(bj('22:05'))).toBe(22 * 60 + 5)
    expect(shanghaiMinutes(Date.parse('2026-11-30T14:00:00Z'))).toBe(22 * 60)
  })

  it('runs across midnight: from the start (in) to the end (out)', () => {
    expect(isNight(night, bj('21:59'))).toBe(false)
    expect(isNight(night, bj('22:00'))).toBe(true)
    expect(isNight(night, bj('23:59'))).toBe(true)
    expect(isNight(night, bj('00:00', '2026-12-01'))).toBe(true)
    expect(isNight(night, bj('05:59', '2026-12-01'))).toBe(true)
    expect(isNight(night, bj('06:00', '2026-12-01'))).toBe(false)
    expect(isNight(night, bj('12:00'))).toBe(false)
  })

  it('works within one day too, and not at all without a schedule or with an empty window', () => {
    const noon = { nightStart: '12:00', nightEnd: '13:30', dim: 0.3 }
    expect(isNight(noon, bj('11:59'))).toBe(false)
    expect(isNight(noon, bj('12:00'))).toBe(true)
    expect(isNight(noon, bj('13:29'))).toBe(true)
    expect(isNight(noon, bj('13:30'))).toBe(false)
    expect(isNight(null, bj('23:00'))).toBe(false)
    expect(isNight({ nightStart: '22:00', nightEnd: '22:00', dim: 0.5 }, bj('22:00'))).toBe(false)
    expect(isNight({ nightStart: '25:00', nightEnd: '06:00', dim: 0.5 }, bj('23:00'))).toBe(false)
  })

  it('dims only at night, never past 0.8', () => {
    expect(nightDim(night, bj('23:00'))).toBe(0.5)
    expect(nightDim(night, bj('09:00'))).toBe(0)
    expect(nightDim({ ...night, dim: 3 }, bj('23:00'))).toBe(0.8)
    expect(nightDim(null, bj('23:00'))).toBe(0)
  })
})
