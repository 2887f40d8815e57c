import { describe, expect, it } from 'vitest'
import { placeLabels, worldPixel } from './label-placement.ts'

const at = (dx: number, dy: number): [number, number] => [117.4 + dx, 35.1 + dy]

describe('placeLabels', () => {
  it('drops a grid name that would cover a village name, keeps one with room', () => {
    const villages = [{ item: 'v1', at: at(0, 0), text: '东王庄村', size: 18 }]
    const grids = [
      { item: 'g-on-v1', at: at(0.0002, 0), text: '第1网格', size: 12 },
      { item: 'g-far', at: at(0.05, 0.05), text: '第2网格', size: 12 },
    ]
    expect(placeLabels([villages, grids], 13, 3)).toEqual([['v1'], ['g-far']])
  })

  it('keeps the first of two village names that collide and both once zoomed in far enough to part them', () => {
    const villages = [
      { item: 'a', at: at(0, 0), text: '东王庄村', size: 18 },
      { item: 'b', at: at(0.004, 0), text: '西王庄村', size: 18 },
    ]
    expect(placeLabels([villages], 12, 3)).toEqual([['a']])
    expect(placeLabels([villages], 15, 3)).toEqual([['a', 'b']])
  })

  it('measures in world pixels: 512 a world at zoom 0', () => {
    expect(worldPixel([0, 0], 0)).toEqual([256, 256])
    expect(worldPixel([180, 0], 1)[0]).toBe(1024)
  })
})
