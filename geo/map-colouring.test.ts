import { describe, expect, it } from 'vitest'
import { colourAdjacent } from './map-colouring.ts'

describe('map colouring', () => {
  it('gives polygons that share an edge different colours', () => {
    const a = { id: 1, ring: [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]] }
    const b = { id: 2, ring: [[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]] }
    const c = { id: 3, ring: [[5, 5], [6, 5], [6, 6], [5, 5]] }
    const colour = colourAdjacent([a, b, c], 4)
    expect(colour.get(1)).not.toBe(colour.get(2))
    expect(colour.get(3)).toBe(0)
  })
})
