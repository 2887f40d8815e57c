import { describe, expect, it } from 'vitest'
import { snapPoint, snapSet } from './grid-snap.ts'

// a flat map: 1 degree = 1000 pixels, y growing southwards as on a screen
const project = (lng: number, lat: number) => ({ x: lng * 1000, y: -lat * 1000 })
const unproject = (x: number, y: number) => ({ lng: x / 1000, lat: -y / 1000 })
const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] }
const set = snapSet([square, null])

describe('snapping a drawn point', () => {
  it('takes the nearest vertex within the tolerance', () => {
    expect(snapPoint({ x: 1005, y: -3 }, set, project, unproject, 12)).toEqual([1, 0])
  })
  it('else lands on the nearest edge', () => {
    const p = snapPoint({ x: 500, y: -8 }, set, project, unproject, 12)!
    expect(p[0]).toBeCloseTo(0.5, 6)
    expect(p[1]).toBeCloseTo(0, 6)
  })
  it('leaves a pointer far from every line where it is', () => {
    expect(snapPoint({ x: 500, y: -500 }, set, project, unproject, 12)).toBeUndefined()
  })
  it('lists each ring vertex once (the closing one is the first)', () => {
    expect(set.vertices).toHaveLength(4)
    expect(set.segments).toHaveLength(4)
  })
})
